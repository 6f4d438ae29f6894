"""SQLite stores order lines in the order they arrive (migration 0011), keyed unique by line_key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from alembic import command
from sqlalchemy import Engine as SAEngine
from sqlalchemy.exc import IntegrityError

from kunde._engine.imports import distinct_lines
from kunde.engine import Engine
from kunde.store import connect
from kunde.store.database import _alembic_config
from kunde.store.orders import LoadedKeys

_LINE = (
    "INSERT INTO order_lines (line_key, order_id, customer_id, product_id, ordered_at, quantity, "
    "unit_price, amount, is_gift, kind, returned_quantity) "
    "VALUES (?, ?, 'c1', 'P1', '2024-03-01 00:00:00.000000', 1, 2.0, 2.0, 0, 'product', 0)"
)
_KEYS = [9_000_000_000_000_000_000 // 2, 7, -3, 42]  # not in key order


def _at(engine: SAEngine, revision: str, direction: str = "upgrade") -> None:
    getattr(command, direction)(_alembic_config(engine), revision)


def _rows(engine: SAEngine) -> list[tuple[int, int, str]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT rowid, line_key, order_id FROM order_lines ORDER BY rowid"
        )
        return [tuple(r) for r in rows]


def _key_is_rowid(engine: SAEngine) -> bool:
    with engine.connect() as conn:
        info = conn.exec_driver_sql("PRAGMA table_info(order_lines)").all()
    return {row[1]: row[2] for row in info}["line_key"] == "INTEGER"


def test_upgrade_keeps_the_lines_and_the_key_unique_and_downgrade_restores_it(
    tmp_path: Path,
) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'kunde.db'}")
    _at(engine, "0010")
    with engine.begin() as conn:
        for i, key in enumerate(_KEYS):
            conn.exec_driver_sql(_LINE, (key, f"O{i}"))
    before = sorted((key, order) for _, key, order in _rows(engine))
    assert _key_is_rowid(engine) and [r[0] for r in _rows(engine)] == sorted(_KEYS)

    _at(engine, "0011")
    assert not _key_is_rowid(engine)
    assert sorted((key, order) for _, key, order in _rows(engine)) == before
    with engine.begin() as conn:
        conn.exec_driver_sql(_LINE, (-(2**62), "new"))
    # The new line comes after the others, whatever its key; a key stored before is refused.
    assert _rows(engine)[-1][1:] == (-(2**62), "new")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql(_LINE, (7, "again"))
    with engine.connect() as conn:
        indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(order_lines)")}
    assert {
        "ix_order_lines_line_key",
        "ix_order_lines_order_id",
        "ix_order_lines_customer_id_product_id",
    } <= indexes

    _at(engine, "0010", "downgrade")
    assert _key_is_rowid(engine)
    with engine.connect() as conn:
        indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(order_lines)")}
    assert "ix_order_lines_line_key" not in indexes
    rows = _rows(engine)
    assert [rowid for rowid, _, _ in rows] == [key for _, key, _ in rows]
    assert sorted((key, order) for _, key, order in rows) == sorted([*before, (-(2**62), "new")])
    _at(engine, "head")
    assert not _key_is_rowid(engine)
    engine.dispose()


def test_an_import_stores_lines_in_file_order(engine: Engine, tmp_path: Path) -> None:
    header = "order_id,customer_id,ordered_at,product_id,quantity,unit_price\n"
    names = [f"O{i:02d}" for i in range(40)]
    rows = [f"{name},c{i % 3},2024-03-01T10:00:00,P{i % 7},1,2.0" for i, name in enumerate(names)]
    rows.insert(10, rows[3])  # a duplicate: the first one stays where it was
    (tmp_path / "lines.csv").write_text(header + "\n".join(rows) + "\n")
    engine.settings.import_batch_rows = 16
    summary = engine.import_orders(tmp_path / "lines.csv")
    assert (summary.imported, summary.duplicates) == (40, 1)
    stored = _rows(engine.store.db)
    assert [order for _, _, order in stored] == names
    keys = [key for _, key, _ in stored]
    assert keys != sorted(keys)  # hashes: file order is not key order


def test_distinct_lines_keeps_the_first_of_each_key_in_order() -> None:
    table = pa.table({"line_key": [5, 3, 5, 9, 3, 1], "n": [0, 1, 2, 3, 4, 5]})
    assert distinct_lines(table).column("n").to_pylist() == [0, 1, 3, 5]
    unique = pa.table({"line_key": [5, 3, 9], "n": [0, 1, 2]})
    assert distinct_lines(unique) is unique


def test_loaded_keys_merge_stays_sorted_and_distinct(rng: np.random.Generator) -> None:
    loaded = LoadedKeys()
    seen: list[np.ndarray] = []
    for _ in range(5):
        keys = rng.integers(-(2**40), 2**40, 300, dtype=np.int64)
        keys = np.concatenate([keys, keys[:20], seen[-1][:30] if seen else keys[:0]])
        loaded.add(keys)
        seen.append(keys)
    everything = np.unique(np.concatenate(seen))
    assert len(loaded) == len(everything)
    assert loaded.known(everything).all()
    assert not loaded.known(everything + 1).all()
