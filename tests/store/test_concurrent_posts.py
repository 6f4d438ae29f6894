"""The same batch posted by several clients at once: stored once, counted once, no error."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.sql.schema import Table

from kunde.catalog import ProductIn
from kunde.engine import Engine
from kunde.errors import ConflictError
from kunde.identity import EventIn, IdentifierIn, IdentifierKind, IdentifyIn
from kunde.orders import LineIn, OrderIn
from kunde.privacy import Actor
from kunde.store.tables import (
    customer_days,
    customer_merges,
    events,
    order_lines,
    orders,
    products,
)

THREADS = 8
T = TypeVar("T")


def _at_once(call: Callable[[], T]) -> list[T | BaseException]:
    """``call()`` from :data:`THREADS` threads released together; results or exceptions."""
    barrier = threading.Barrier(THREADS)
    results: list[T | BaseException] = [RuntimeError("not run")] * THREADS

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except BaseException as exc:  # collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _count(engine: Engine, table: Table) -> int:
    with engine.store.db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _no_errors(results: list[T | BaseException]) -> list[T]:
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return [r for r in results if not isinstance(r, BaseException)]


def test_same_events_at_once_are_stored_and_counted_once(any_engine: Engine) -> None:
    batch = [
        EventIn(
            event_id=f"e{i:03d}",
            occurred_at=datetime(2026, 11, 1, 10, i % 60),
            type="page_view",
            customer_id=f"c{i % 7}",
            anonymous_id=f"a{i % 5}",
            properties={"i": i},
        )
        for i in range(60)
    ]
    batch.append(batch[3])  # a repeat inside the request is a duplicate too
    results = _no_errors(_at_once(lambda: any_engine.add_events(batch)))
    assert sum(stored for stored, _ in results) == 60
    assert all(stored + duplicates == len(batch) for stored, duplicates in results)
    assert _count(any_engine, events) == 60


def test_same_orders_at_once_are_stored_and_created_once(any_engine: Engine) -> None:
    batch = [
        OrderIn(
            order_id=f"o{i:03d}",
            customer_id=f"c{i % 6}",
            ordered_at=datetime(2026, 10, 1 + i % 20, 12),
            lines=[
                LineIn(product_id=f"p{(i + j) % 9}", quantity=1 + j, unit_price=2.5)
                for j in range(3)
            ],
        )
        for i in range(40)
    ]
    results = _no_errors(_at_once(lambda: any_engine.add_orders(batch)))
    created = [order_id for result in results for order_id in result.created]
    assert sorted(created) == [o.order_id for o in batch]
    for result in results:
        assert sorted(result.created + result.unchanged) == [o.order_id for o in batch]
    assert _count(any_engine, orders) == 40
    assert _count(any_engine, order_lines) == 120
    with any_engine.store.db.connect() as conn:
        lines = conn.execute(select(func.sum(customer_days.c.purchase_lines))).scalar_one()
    assert lines == 120  # the per-customer days count every line once


def test_conflicting_orders_at_once_keep_one_version(any_engine: Engine) -> None:
    def post(i: int) -> list[str]:
        order = OrderIn(
            order_id="o1",
            customer_id="c1",
            ordered_at=datetime(2026, 10, 1, 12),
            lines=[
                LineIn(product_id="p1", unit_price=1.0),
                LineIn(product_id=f"q{i % 2}", unit_price=1.0),
            ],
        )
        return any_engine.add_orders([order]).created

    calls = iter(range(THREADS))
    lock = threading.Lock()

    def next_post() -> list[str]:
        with lock:
            i = next(calls)
        return post(i)

    results = _at_once(next_post)
    unexpected = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, ConflictError) for r in unexpected), unexpected
    assert sum(len(r) for r in results if isinstance(r, list)) == 1
    assert _count(any_engine, orders) == 1
    assert _count(any_engine, order_lines) == 2  # one whole version, never a mix


@pytest.mark.parametrize("existing", [False, True])
def test_same_products_at_once_are_created_once(any_engine: Engine, existing: bool) -> None:
    batch = [
        ProductIn(
            product_id=f"p{i:03d}",
            name=f"Product {i}",
            category="Garden > Tools",
            price=1.0 + i,
            released_at=date(2026, 1, 1 + i % 28),
        )
        for i in range(50)
    ]
    if existing:  # half of them stored before, with another name: those are updated once
        old = [p.model_copy(update={"name": "old"}) for p in batch[:25]]
        assert any_engine.upsert_products(old) == (25, 0)
    results = _no_errors(_at_once(lambda: any_engine.upsert_products(batch)))
    assert sum(created for created, _ in results) == (25 if existing else 50)
    assert sum(updated for _, updated in results) == (25 if existing else 0)
    assert _count(any_engine, products) == 50
    assert any_engine.get_product("p000")["name"] == "Product 0"


def test_concurrent_identifies_merge_each_profile_once(any_engine: Engine) -> None:
    any_engine.settings.identity_max_profiles = 100
    email = IdentifierIn(kind=IdentifierKind.EMAIL, value="shared@example.de")
    counter = iter(range(THREADS))
    lock = threading.Lock()

    def call() -> dict:  # type: ignore[type-arg]
        with lock:
            customer = f"c{next(counter)}"
        request = IdentifyIn(customer_id=customer, identifiers=[email])
        return any_engine.identify(Actor(key_id=None, role="integration"), request)

    results = _no_errors(_at_once(call))
    made = [m for r in results for m in r["merged"]]
    # every customer but the first to arrive was a separate profile once: 7 merges, one profile
    assert len(made) == THREADS - 1 == _count(any_engine, customer_merges)
    profiles = any_engine.resolve_customers([f"c{i}" for i in range(THREADS)])
    assert len(set(profiles.tolist())) == 1
