"""Recommendations see merged customers as one profile: training, serving, consent, export."""

from __future__ import annotations

import csv
import itertools
from datetime import datetime
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kunde._engine.recommend_data import load_data
from kunde.catalog import ProductIn
from kunde.engine import Engine
from kunde.identity import IdentifierIn, IdentifierKind, IdentifyIn
from kunde.orders import OrderIn
from kunde.privacy import Actor, ConsentChange

from .test_recommend_serve import consent, loyal_customers

ADMIN = Actor(key_id=None, role="admin")
_examples = itertools.count()


def merge(engine: Engine, survivor: str, absorbed: str) -> int:
    """Merge ``absorbed`` into ``survivor`` through a shared e-mail; return the merge id."""
    email = IdentifierIn(kind=IdentifierKind.EMAIL, value=f"{absorbed}.{survivor}@example.de")
    engine.identify(ADMIN, IdentifyIn(customer_id=absorbed, identifiers=[email]))
    made = engine.identify(ADMIN, IdentifyIn(customer_id=survivor, identifiers=[email]))["merged"]
    assert [(m["survivor"], m["absorbed"]) for m in made] == [(survivor, absorbed)]
    return int(made[0]["merge_id"])


def _shop(engine: Engine, prefix: str, histories: list[list[int]]) -> list[str]:
    """Customers ``{prefix}c{i}`` who bought products ``P{j}`` (one order per purchase)."""
    engine.upsert_products(
        [
            ProductIn(product_id=f"P{j}", name=f"Product {j}", category=f"Cat {j % 3}")
            for j in range(6)
        ]
    )
    customers = [f"{prefix}c{i}" for i in range(len(histories))]
    orders = [
        OrderIn.model_validate(
            {
                "order_id": f"{prefix}o{i}-{n}",
                "customer_id": customers[i],
                "ordered_at": datetime(2026, 10, 1 + n % 28, 12, 0),
                "lines": [{"product_id": f"P{j}", "quantity": 1, "unit_price": 5.0}],
            }
        )
        for i, history in enumerate(histories)
        for n, j in enumerate(history)
    ]
    engine.add_orders(orders)
    return customers


def _profile_lines(engine: Engine, prefix: str) -> dict[str, list[str]]:
    """Per profile id of the example, the products of its lines in the loader."""
    data = load_data(engine.store, category_depth=2)
    out: dict[str, list[str]] = {}
    for c, i in zip(data.customer.tolist(), data.item.tolist(), strict=True):
        cid = str(data.customer_ids[c]) if c >= 0 else ""
        if cid.startswith(prefix):
            out.setdefault(cid, []).append(str(data.product_ids[i]))
    return {k: sorted(v) for k, v in out.items()}


histories = st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=4), min_size=2, max_size=4)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(histories=histories, pairs=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3))))
def test_merged_customers_are_one_profile_in_the_loader_until_unmerged(
    engine: Engine, histories: list[list[int]], pairs: list[tuple[int, int]]
) -> None:
    prefix = f"m{next(_examples)}-"
    customers = _shop(engine, prefix, histories)
    alone = _profile_lines(engine, prefix)
    merges = []
    for a, b in pairs:
        if a >= len(customers) or b >= len(customers):
            continue
        survivor, absorbed = engine.resolve_customers([customers[a], customers[b]]).tolist()
        if survivor != absorbed:
            merges.append(merge(engine, survivor, absorbed))
    profiles = engine.resolve_customers(customers).tolist()
    expected: dict[str, list[str]] = {}
    for customer, profile in zip(customers, profiles, strict=True):
        expected.setdefault(profile, []).extend(alone[customer])
    assert _profile_lines(engine, prefix) == {k: sorted(v) for k, v in expected.items()}
    for merge_id in reversed(merges):
        engine.undo_merge(ADMIN, merge_id)
    assert _profile_lines(engine, prefix) == alone


def test_train_joins_a_merged_profile_and_separates_it_after_unmerge(any_engine: Engine) -> None:
    engine = any_engine
    web, store = _shop(engine, "t-", [[0, 1, 0], [3, 4]])
    engine.train_recommend()
    assert {web, store} <= set(engine.recommend_model().customer_ids.tolist())
    merge_id = merge(engine, web, store)
    engine.train_recommend()
    model = engine.recommend_model()
    assert web in model.customer_ids.tolist() and store not in model.customer_ids.tolist()
    assert model.members(web) == sorted([web, store])
    engine.undo_merge(ADMIN, merge_id)
    engine.train_recommend()
    model = engine.recommend_model()
    assert {web, store} <= set(model.customer_ids.tolist())
    assert model.members(web) == [web]


def _export_reasons(engine: Engine, out: Path, customers: list[str]) -> set[str]:
    engine.recommend_export(out, k=3, customers=customers)
    with out.open(newline="", encoding="utf-8") as f:
        return {r["reason"] for r in csv.DictReader(f)}


def test_consent_of_a_merged_profile_is_the_latest_expressed_will(
    any_engine: Engine, tmp_path: Path
) -> None:
    engine = any_engine
    web, store = _shop(engine, "k-", [[0, 1], [3, 4]])
    engine.train_recommend()
    consent(engine, store, granted=False)  # said no in the store, long ago
    consent(engine, web)  # later said yes in the web shop
    merge_id = merge(engine, web, store)
    # the newest entry among the profile's ids decides: the later grant
    for customer in (web, store):
        assert engine.recommendations(customer)["basis"] == "history"
        assert engine.has_consent(customer, "personalization")
    consent(engine, store, granted=False)  # withdrawn through any id: the newest will
    for customer in (web, store):
        page = engine.recommendations(customer)
        assert (page["personal"], page["basis"], page["profile_id"]) == (False, "no_consent", web)
        assert engine.interests(customer)["interests"] == []
        assert not engine.has_consent(customer, "personalization")
    reasons = _export_reasons(engine, tmp_path / "a.csv", [web, store])
    assert not {r for r in reasons if r.startswith(("because", "picked"))}
    consent(engine, store)
    assert engine.recommendations(web)["basis"] == "history"
    consent(engine, web, granted=False)
    assert engine.recommendations(store)["basis"] == "no_consent"

    # unmerged, each id has its own ledger again: web withdrew last, store granted last
    engine.undo_merge(ADMIN, merge_id)
    assert engine.recommendations(web)["basis"] == "no_consent"
    assert engine.recommendations(store)["basis"] == "history"
    assert not engine.has_consent(web, "personalization")
    assert engine.has_consent(store, "personalization")


def test_an_absorbed_id_is_served_its_profile_before_and_after_training(
    demo_engine: Engine, tmp_path: Path
) -> None:
    engine = demo_engine
    survivor, absorbed = loyal_customers(engine, 2)
    consent(engine, survivor)
    merge_id = merge(engine, survivor, absorbed)
    for _ in range(2):  # right after the merge (live), then from the new training
        page = engine.recommendations(absorbed)
        assert page["profile_id"] == survivor and page["personal"] is True
        assert page["items"] == engine.recommendations(survivor)["items"]
        interests = engine.interests(absorbed)
        assert interests["profile_id"] == survivor
        assert interests == {**engine.interests(survivor), "customer_id": absorbed}
        out = tmp_path / "export.csv"
        engine.recommend_export(out, k=5, customers=[absorbed, survivor])
        with out.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert list(rows[0]) == ["customer_id", "rank", "product_id", "score", "reason"]
        lists = {
            c: [r["product_id"] for r in rows if r["customer_id"] == c]
            for c in (absorbed, survivor)
        }
        assert lists[absorbed] == lists[survivor] and len(lists[absorbed]) == 5
        engine.train_recommend()

    # the reset of the absorbed id addresses the profile
    engine.reset_personalization(ADMIN, absorbed)
    assert engine.store.recommend.reset_at(survivor) is not None
    assert engine.interests(survivor)["interests"] == []

    engine.undo_merge(ADMIN, merge_id)
    page = engine.recommendations(absorbed)  # live until the next train, never an error
    alone = "history" if engine.has_consent(absorbed, "personalization") else "no_consent"
    assert page["profile_id"] == absorbed and page["basis"] == alone  # its own consent again
    engine.train_recommend()
    assert absorbed in engine.recommend_model().customer_ids.tolist()


def test_export_writes_each_id_asked_for(demo_engine: Engine, tmp_path: Path) -> None:
    survivor, absorbed, other = loyal_customers(demo_engine, 3)
    merge(demo_engine, survivor, absorbed)
    demo_engine.record_consents(
        ADMIN,
        survivor,
        [ConsentChange(purpose="personalization", granted=True, policy_version="v1", source="web")],
    )
    out = tmp_path / "export.csv"
    demo_engine.recommend_export(out, k=3, customers=[absorbed, other, survivor])
    with out.open(newline="", encoding="utf-8") as f:
        asked = {r["customer_id"] for r in csv.DictReader(f)}
    assert asked == {absorbed, other, survivor}
    assert np.array_equal(
        demo_engine.resolve_customers([absorbed, other]), np.array([survivor, other], dtype=object)
    )
