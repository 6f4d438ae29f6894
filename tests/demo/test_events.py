"""Browsing under anonymous ids that later log in."""

from __future__ import annotations

import numpy as np

from kunde.demo import DemoShop


def test_events_have_every_type_and_unique_ids(shop: DemoShop) -> None:
    events = shop.events
    assert set(events["type"].to_pylist()) == {
        "page_view",
        "product_view",
        "add_to_cart",
        "search",
        "login",
        "store_visit",
        "call",
    }
    ids = events["event_id"].to_pylist()
    assert len(set(ids)) == len(ids)
    at = events["occurred_at"].to_numpy()
    assert (np.diff(at.astype(np.int64)) >= 0).all()
    assert at.max().astype("datetime64[D]") < np.datetime64(shop.today)


def test_logins_link_anonymous_browsing_to_customers(shop: DemoShop) -> None:
    rows = shop.events.to_pylist()
    for row in rows:
        assert row["customer_id"] or row["anonymous_id"]
    logins = [r for r in rows if r["type"] == "login"]
    assert logins and all(r["customer_id"] and r["anonymous_id"] for r in logins)
    owner = {r["anonymous_id"]: r["customer_id"] for r in logins}
    first_login = {}
    for r in rows:
        if r["type"] == "login":
            first_login.setdefault(r["anonymous_id"], r["occurred_at"])
    before = [
        r
        for r in rows
        if r["anonymous_id"] in owner
        and r["customer_id"] is None
        and r["occurred_at"] < first_login[r["anonymous_id"]]
    ]
    assert before, "browsing before the first login"
    # one anonymous id always belongs to the same customer
    for r in logins:
        assert owner[r["anonymous_id"]] == r["customer_id"]
    never = {r["anonymous_id"] for r in rows if r["anonymous_id"]} - set(owner)
    assert never, "some visitors never log in"
