"""The database's per-profile summary equals the numpy summary; merged customers are one."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import insert

from kunde._engine.value import _summary
from kunde.engine import Engine
from kunde.identity import IdentifierIn, IdentifierKind, IdentifyIn
from kunde.privacy import Actor
from kunde.store.tables import customer_days
from kunde.value import summarize_customer_days

ADMIN = Actor(key_id=None, role="admin")
_EPOCH = date(1970, 1, 1)


def _numpy_summary(engine: Engine, as_of: date | None):  # type: ignore[no-untyped-def]
    rows = engine.store.value.customer_days(as_of)
    summary = summarize_customer_days(
        rows.customer,
        rows.day,
        rows.purchased + rows.returned,
        as_of=as_of,
        purchase_day=rows.purchase_lines > 0,
        n_customers=int(rows.customer_ids.shape[0]),
    )
    return rows.customer_ids, summary


@pytest.mark.parametrize("cut_days", [None, 120])
def test_database_summary_equals_numpy_summary(any_engine: Engine, cut_days: int | None) -> None:
    any_engine.build_demo(customers=200)
    rows = any_engine.store.value.customer_days()
    assert (rows.returned < 0).any()  # the demo shop has returns
    latest = _EPOCH + timedelta(days=int(rows.day.max()))
    as_of = None if cut_days is None else latest - timedelta(days=cut_days)
    ids, summary = _summary(any_engine.store, as_of)
    want_ids, want = _numpy_summary(any_engine, as_of)
    keep = want.has_purchase
    got = {c: i for i, c in enumerate(ids)}
    at = np.array([got[c] for c in want_ids[keep]])
    assert summary.has_purchase.sum() == keep.sum()
    assert summary.as_of == want.as_of
    for field in ("first_day", "last_day", "frequency", "recency_days", "tenure_days"):
        np.testing.assert_array_equal(getattr(summary, field)[at], getattr(want, field)[keep])
    for field in ("monetary", "total_value"):
        np.testing.assert_allclose(
            getattr(summary, field)[at], getattr(want, field)[keep], rtol=1e-12, atol=1e-9
        )


def _days(engine: Engine, customer_id: str, days: list[tuple[int, float, int]]) -> None:
    rows = [
        {
            "customer_id": customer_id,
            "day": date(2025, 1, 1) + timedelta(days=d),
            "purchased": max(v, 0.0),
            "returned": min(v, 0.0),
            "purchase_lines": lines,
        }
        for d, v, lines in days
    ]
    with engine.store.db.begin() as conn:
        conn.execute(insert(customer_days), rows)


def _merge(engine: Engine, absorbed: str, survivor: str) -> int:
    email = IdentifierIn(kind=IdentifierKind.EMAIL, value=f"{absorbed}-{survivor}@example.de")
    engine.identify(ADMIN, IdentifyIn(customer_id=absorbed, identifiers=[email]))
    result = engine.identify(ADMIN, IdentifyIn(customer_id=survivor, identifiers=[email]))
    (merge,) = result["merged"]
    assert {merge["survivor"], merge["absorbed"]} == {absorbed, survivor}
    return int(merge["merge_id"])


def test_merged_customers_are_one_profile(any_engine: Engine) -> None:
    engine = any_engine
    engine.build_demo(customers=120)
    _days(engine, "m-a", [(0, 10.0, 1), (10, 20.0, 2), (30, -5.0, 0)])
    _days(engine, "m-b", [(10, 7.0, 1), (50, 30.0, 1)])  # day 10: both bought, counts once
    engine.value_fit(time_unit="D")
    apart = {cid: engine.customer_value(cid) for cid in ("m-a", "m-b")}
    assert apart["m-a"]["frequency"] == 1 and apart["m-b"]["frequency"] == 1
    version = engine.store.value.data_version()

    merge_id = _merge(engine, "m-b", "m-a")
    assert engine.store.value.data_version() > version  # the cached scores are stale
    profile = engine.resolve_customers(["m-a"])[0]
    ids, summary = _summary(engine.store, None)
    assert ({"m-a", "m-b"} - {profile}).isdisjoint(ids)
    i = int(np.flatnonzero(ids == profile)[0])
    assert [summary.first_day[i], summary.last_day[i]] == [20089, 20139]  # 2025-01-01 + 0, 50
    assert summary.frequency[i] == 2  # days 0, 10, 50
    assert summary.monetary[i] == pytest.approx((20.0 + 7.0 - 5.0 + 30.0) / 2)
    together = engine.customer_value("m-a")
    assert engine.customer_value("m-b") == together
    assert together["customer_id"] == profile and together["frequency"] == 2

    version = engine.store.value.data_version()
    engine.undo_merge(ADMIN, merge_id)
    assert engine.store.value.data_version() > version
    again = {cid: engine.customer_value(cid) for cid in ("m-a", "m-b")}
    assert again["m-a"]["frequency"] == 1 and again["m-b"]["frequency"] == 1
    assert again["m-a"]["customer_id"] == "m-a" and again["m-b"]["customer_id"] == "m-b"
