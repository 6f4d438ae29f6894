"""The value models' fast path (``customer_summaries``, one row per customer) gives the same
summaries as the exact path over ``customer_days``: after imports in several batches, returns,
merges, unmerges and erasure, on SQLite and PostgreSQL, and after the 0010 backfill."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kunde._engine.value_summary import current_summary, days_summary
from kunde.engine import Engine
from kunde.identity import IdentifierIn, IdentifierKind, IdentifyIn
from kunde.privacy import Actor
from kunde.value import CustomerSummary

ADMIN = Actor(key_id=None, role="admin")
FIELDS = ("has_purchase", "first_day", "last_day", "frequency", "recency_days", "tenure_days")


def _import(engine: Engine, tmp_path: Path, name: str, lines: list[str]) -> None:
    path = tmp_path / f"{name}.csv"
    header = "order_id,customer_id,ordered_at,product_id,quantity,amount"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    engine.import_orders(path)


def _by_id(ids: Any, summary: CustomerSummary) -> tuple[np.ndarray, CustomerSummary]:
    ids = np.asarray(ids, dtype=object)  # Arrow strings without merges or objections
    order = np.argsort(ids.astype(str))
    return ids[order].astype(str), summary.take(order)


def _assert_same(engine: Engine) -> CustomerSummary:
    raw_ids, raw = current_summary(engine.store)
    lean_ids, lean = current_summary(engine.store, ids=False)  # what fitting reads
    assert len(lean_ids) in (0, len(raw_ids))  # ids are read only when merges need them
    for name in (*FIELDS, "monetary"):
        np.testing.assert_array_equal(getattr(lean, name), getattr(raw, name), err_msg=name)
    fast_ids, fast = _by_id(raw_ids, raw)
    exact_ids, exact = _by_id(*days_summary(engine.store, engine.store.value.customer_days(), None))
    assert fast_ids.tolist() == exact_ids.tolist()
    assert fast.as_of == exact.as_of
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(fast, name), getattr(exact, name), err_msg=name)
    for name in ("monetary", "total_value"):
        np.testing.assert_allclose(getattr(fast, name), getattr(exact, name), atol=1e-9)
    return fast


def _lines(rng: np.random.Generator, customers: int, prefix: str) -> list[str]:
    """Random purchases (1-3 lines per order) and returns of ``customers`` customers."""
    out = []
    for i in range(customers * 3):
        customer = f"c{rng.integers(customers)}"
        day = 1 + int(rng.integers(60))
        quantity = int(rng.choice([1, 2, 3, -1])) if i % 7 else -2  # some return lines
        amount = round(float(rng.uniform(1, 50)) * np.sign(quantity), 2)
        out.append(f"{prefix}{i},{customer},2025-03-{day % 28 + 1:02d}T1{day % 10}:00:00,")
        out[-1] += f"p{rng.integers(5)},{quantity},{amount}"
    return out


def _merge(engine: Engine, absorbed: str, survivor: str) -> int:
    email = IdentifierIn(kind=IdentifierKind.EMAIL, value=f"{absorbed}-{survivor}@example.de")
    engine.identify(ADMIN, IdentifyIn(customer_id=absorbed, identifiers=[email]))
    result = engine.identify(ADMIN, IdentifyIn(customer_id=survivor, identifiers=[email]))
    (merge,) = result["merged"]
    return int(merge["merge_id"])


def test_fast_and_exact_summaries_agree(any_engine: Engine, tmp_path: Path) -> None:
    engine = any_engine
    rng = np.random.default_rng(7)
    _import(engine, tmp_path, "first", _lines(rng, 40, "a"))
    _import(
        engine,
        tmp_path,
        "special",
        [
            "r1,returns-only,2025-03-05T10:00:00,p1,-1,-9.5",  # never bought: not scored
            "f1,first-day-return,2025-03-02T10:00:00,p1,2,20.0",
            "f2,first-day-return,2025-03-02T11:00:00,p1,-1,-10.0",  # same day as the purchase
            "f3,first-day-return,2025-03-09T11:00:00,p2,1,15.0",
            "f4,first-day-return,2025-03-20T11:00:00,p2,-1,-15.0",  # after: repeat value 0
        ],
    )
    summary = _assert_same(engine)
    assert summary.has_purchase.sum() >= 30
    # a second batch: earlier purchases move first purchase days, later ones the as-of day
    _import(engine, tmp_path, "second", _lines(rng, 50, "b"))
    _import(
        engine,
        tmp_path,
        "earlier",
        ["e1,c3,2025-02-01T09:00:00,p1,1,5.0", "e2,c4,2025-04-30T09:00:00,p1,1,7.0"],
    )
    apart = _assert_same(engine)

    merge_id = _merge(engine, "c1", "c2")
    _merge(engine, "c2", "c5")  # a chain: c1 -> c2 -> c5
    _merge(engine, "returns-only", "c6")
    merged = _assert_same(engine)
    assert merged.has_purchase.size == apart.has_purchase.size - 3  # three profiles fewer
    engine.undo_merge(ADMIN, merge_id)
    _assert_same(engine)

    engine.erase_customer(ADMIN, "c7")
    engine.erase_customer(ADMIN, "c5")  # a survivor
    _assert_same(engine)


def test_backfill_fills_the_totals(any_engine: Engine, tmp_path: Path) -> None:
    from alembic import command

    from kunde.store.database import _alembic_config

    engine = any_engine
    rng = np.random.default_rng(11)
    _import(engine, tmp_path, "lines", _lines(rng, 30, "a"))
    before = engine.store.value.customer_totals()
    config = _alembic_config(engine.store.db)
    command.downgrade(config, "0009")
    command.upgrade(config, "head")
    after = engine.store.value.customer_totals()
    order_before = np.argsort(before.customer_ids.astype(str))
    order_after = np.argsort(after.customer_ids.astype(str))
    for name in ("customer_ids", "first_purchase_day", "purchase_days", "last_activity_day"):
        np.testing.assert_array_equal(
            getattr(before, name)[order_before], getattr(after, name)[order_after], err_msg=name
        )
    np.testing.assert_allclose(
        before.repeat_net_revenue[order_before], after.repeat_net_revenue[order_after], atol=1e-9
    )
    assert np.any(after.repeat_net_revenue != 0)
    _assert_same(engine)


@pytest.mark.parametrize("as_of", [None])
def test_without_purchases_the_fast_path_refuses(engine: Engine, as_of: None) -> None:
    from kunde.errors import InputError

    with pytest.raises(InputError, match="no purchases"):
        current_summary(engine.store)
