"""Bulk loads into an empty store: the same store as the checked path, and safe against others."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from kunde.engine import Engine
from kunde.store.orders import LoadedKeys, OrderRepository
from kunde.store.tables import (
    customer_days,
    customer_summaries,
    customers,
    metadata,
    order_lines,
    orders,
    products,
)

FIXTURES = Path(__file__).parents[1] / "orders" / "fixtures"
_COMPARED = (order_lines, orders, customers, products, customer_days, customer_summaries)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the compared tables, without the times rows were written."""
    found = {}
    with engine.store.db.connect() as conn:
        for t in _COMPARED:
            columns = [c for c in t.c if c.name not in ("created_at", "updated_at")]
            rows = conn.execute(select(*columns)).all()
            found[t.name] = sorted((tuple(r) for r in rows), key=repr)
    return found


def empty(engine: Engine) -> None:
    with engine.store.db.begin() as conn:
        for t in reversed(metadata.sorted_tables):
            conn.execute(delete(t))


def seed(tmp_path: Path) -> Path:
    path = tmp_path / "seed.csv"
    path.write_text(
        "order_id,customer_id,ordered_at,product_id,quantity,unit_price\n"
        "S1,seed,2010-12-01T09:00:00,85123A,3,2.55\n"
    )
    return path


def spy_loads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each batch stored went the bulk (``loaded``) way."""
    seen: list[bool] = []
    real = OrderRepository.ingest

    def ingest(self: OrderRepository, *args: Any, **kwargs: Any) -> int:
        seen.append(kwargs.get("loaded") is not None)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(OrderRepository, "ingest", ingest)
    return seen


def test_bulk_load_and_checked_import_store_the_same(
    any_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quirks = FIXTURES / "online_retail_quirks.csv"  # duplicates, returns, fees, anonymous lines
    any_engine.settings.import_batch_rows = 4
    seen = spy_loads(monkeypatch)

    bulk = any_engine.import_orders(quirks, format="online-retail")
    any_engine.import_orders(seed(tmp_path))
    assert seen[:-1] and all(seen[:-1]) and not seen[-1]
    after_bulk = snapshot(any_engine)

    empty(any_engine)
    seen.clear()
    any_engine.import_orders(seed(tmp_path))
    checked = any_engine.import_orders(quirks, format="online-retail")
    assert seen[0] and len(seen) > 2 and not any(seen[1:])  # the seed went into an empty store
    assert (bulk.imported, bulk.duplicates, bulk.rejected) == (21, 1, 3)
    assert (checked.imported, checked.duplicates, checked.rejected) == (21, 1, 3)
    assert snapshot(any_engine) == after_bulk


def test_a_bulk_batch_that_another_writer_stored_meanwhile_is_stored_checked(
    any_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = "order_id,customer_id,ordered_at,product_id,quantity,unit_price\n"
    first = ["A1,c1,2024-03-01,P1,2,4.0", "A1,c1,2024-03-01,P2,1,3.0", "B1,c2,2024-03-02,P1,1,4.0"]
    later = ["B2,c2,2024-03-03,P3,5,1.0", "C1,c1,2024-03-04,P1,-1,4.0"]
    (tmp_path / "first.csv").write_text(header + "\n".join(first) + "\n")
    (tmp_path / "all.csv").write_text(header + "\n".join(later[:1] + first + later[1:]) + "\n")
    any_engine.import_orders(tmp_path / "first.csv")

    # A load that believes the store is empty: the lines stored above play another writer's.
    @contextmanager
    def believed_empty(self: OrderRepository) -> Iterator[LoadedKeys]:
        yield LoadedKeys()

    monkeypatch.setattr(OrderRepository, "bulk_load", believed_empty)
    checked: list[bool] = []  # per transaction: stored the checked way
    real = OrderRepository._ingest

    def ingest(self: OrderRepository, *args: Any) -> int:
        checked.append(args[-1] is None)
        return real(self, *args)

    monkeypatch.setattr(OrderRepository, "_ingest", ingest)
    any_engine.settings.import_batch_rows = 2
    summary = any_engine.import_orders(tmp_path / "all.csv")
    # Batches [B2, A1/P1], [A1/P2, B1], [C1]: the first conflicts and is stored again checked,
    # and so is the rest of the load.
    assert checked == [False, True, True, True]
    assert (summary.read, summary.imported, summary.duplicates) == (5, 2, 3)
    lines = {(r.order_id, r.product_id): r for r in _lines(any_engine)}
    assert len(lines) == 5
    assert lines[("C1", "P1")].return_of == lines[("A1", "P1")].line_key
    assert any_engine.store.orders.customer_summary("c1") == {
        "first_purchase_day": lines[("A1", "P1")].ordered_at.date(),
        "last_purchase_day": lines[("A1", "P1")].ordered_at.date(),
        "purchase_days": 1,
        "net_revenue": 7.0,
        "orders": 2,
    }
    assert any_engine.store.orders.customer_summary("c2")["net_revenue"] == 9.0  # type: ignore[index]


def test_lines_another_writer_stores_between_bulk_batches_are_not_stored_twice(
    any_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = "order_id,customer_id,ordered_at,product_id,quantity,unit_price\n"
    rows = [
        "A1,c1,2024-03-01,P1,2,4.0",
        "A1,c1,2024-03-01,P2,1,3.0",
        "B1,c2,2024-03-02,P1,1,4.0",
        "B1,c2,2024-03-02,P3,5,1.0",
        "C1,c1,2024-03-04,P1,-1,4.0",
    ]
    (tmp_path / "all.csv").write_text(header + "\n".join(rows) + "\n")
    checked: list[bool] = []  # per transaction of the load: stored the checked way
    real = OrderRepository._ingest

    def ingest(self: OrderRepository, lines: Any, *args: Any) -> int:
        if len(checked) == 1:  # before the second batch: another writer stores its lines
            real(self, lines, args[0], "api", args[2], None, True, None)
        checked.append(args[-1] is None)
        return real(self, lines, *args)

    monkeypatch.setattr(OrderRepository, "_ingest", ingest)
    any_engine.settings.import_batch_rows = 2
    summary = any_engine.import_orders(tmp_path / "all.csv")
    assert checked == [False, False, True, True]  # the second batch saw the other writer
    assert (summary.read, summary.imported, summary.duplicates) == (5, 3, 2)
    lines = _lines(any_engine)
    assert len(lines) == len({line.line_key for line in lines}) == 5
    assert any_engine.store.orders.customer_summary("c2")["net_revenue"] == 9.0  # type: ignore[index]
    assert any_engine.store.orders.customer_summary("c1")["net_revenue"] == 7.0  # type: ignore[index]
    # The indexes were built at the end, the unique one on line_key among them.
    with any_engine.store.db.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(insert(order_lines).values(_row(lines[0])))


def _row(line: Any) -> dict[str, Any]:
    return dict(line._mapping)


def _lines(engine: Engine) -> list[Any]:
    with engine.store.db.connect() as conn:
        return list(conn.execute(select(order_lines)))


def test_loaded_keys_find_what_was_added() -> None:
    loaded = LoadedKeys()
    keys = np.array([5, -3, 2**62, 7], dtype=np.int64)
    assert not loaded.known(keys).any()
    loaded.add(keys[:2])
    loaded.add(np.array([5, 9], dtype=np.int64))
    assert len(loaded) == 3
    assert loaded.known(keys).tolist() == [True, True, False, False]
    assert loaded.known(np.array([9, 10, -(2**62)], dtype=np.int64)).tolist() == [
        True,
        False,
        False,
    ]
