"""Products: upsert in bulk, read one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Date, DateTime, bindparam, select, text
from sqlalchemy import Engine as SAEngine

from kunde.orders import PRODUCT_FIELDS
from kunde.store.database import is_sqlite
from kunde.store.tables import products

__all__ = ["PRODUCT_COLUMNS", "ProductRepository"]

PRODUCT_COLUMNS: tuple[str, ...] = PRODUCT_FIELDS
"""The fields a product upsert writes."""

_STAGE = "kunde_stage_products"
_TYPES = {
    "product_id": "TEXT",
    "name": "TEXT",
    "category": "TEXT",
    "brand": "TEXT",
    "price": "DOUBLE PRECISION",
    "released_at": "DATE",
    "description": "TEXT",
}


class ProductRepository:
    """Reads and writes products.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db
        self._sqlite = is_sqlite(db)

    def upsert(self, rows: Sequence[Mapping[str, Any]], now: datetime) -> tuple[int, int, int]:
        """Create or update products in one transaction (later rows win over earlier ones).

        Args:
            rows: dicts with :data:`PRODUCT_COLUMNS` (missing keys are ``None``).
            now: the time recorded on created and updated rows.

        Returns:
            ``(created, updated, unchanged)`` product counts.
        """
        latest = {row["product_id"]: {c: row.get(c) for c in PRODUCT_COLUMNS} for row in rows}
        if not latest:
            return 0, 0, 0
        same = "IS" if self._sqlite else "IS NOT DISTINCT FROM"
        columns = ", ".join(PRODUCT_COLUMNS)
        marks = ", ".join(f":{c}" for c in PRODUCT_COLUMNS)
        with self._db.begin() as conn:
            if self._sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            types = ", ".join(f"{c} {_TYPES[c]}" for c in PRODUCT_COLUMNS)
            conn.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ({types})"))
            conn.execute(text(f"DELETE FROM {_STAGE}"))
            conn.execute(
                text(f"INSERT INTO {_STAGE} ({columns}) VALUES ({marks})").bindparams(
                    bindparam("released_at", type_=Date())
                ),
                list(latest.values()),
            )
            unchanged = conn.execute(
                text(
                    f"DELETE FROM {_STAGE} WHERE EXISTS (SELECT 1 FROM products p WHERE "
                    + " AND ".join(f"p.{c} {same} {_STAGE}.{c}" for c in PRODUCT_COLUMNS)
                    + ")"
                )
            ).rowcount
            existing: int = conn.execute(
                text(
                    f"SELECT count(*) FROM {_STAGE} s "
                    "WHERE EXISTS (SELECT 1 FROM products p WHERE p.product_id = s.product_id)"
                )
            ).scalar_one()
            staged = len(latest) - unchanged
            # PostgreSQL: a concurrent transaction may store the same products meanwhile; the
            # insert then waits for it and sees its rows, so what was really inserted or
            # changed is read from the statement itself (``xmax = 0``: a new row), in key
            # order so that concurrent writers never deadlock.
            where = "WHERE true " if self._sqlite else "ORDER BY product_id "
            upsert = (
                f"INSERT INTO products ({columns}, kind, created_at, updated_at) "
                f"SELECT {columns}, 'product', :now, :now FROM {_STAGE} {where}"
                "ON CONFLICT (product_id) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in PRODUCT_COLUMNS[1:])
                + ", updated_at = excluded.updated_at WHERE NOT ("
                + " AND ".join(f"products.{c} {same} excluded.{c}" for c in PRODUCT_COLUMNS)
                + ")"
            )
            if not self._sqlite:  # SQLite: the write lock was held since the counts above
                upsert = (
                    f"WITH written AS ({upsert} RETURNING (xmax = 0) AS inserted) "
                    "SELECT count(*) FILTER (WHERE inserted), count(*) FROM written"
                )
            result = conn.execute(
                text(upsert).bindparams(bindparam("now", type_=DateTime())), {"now": now}
            )
            if not self._sqlite:
                row = result.one()
                created, written = int(row[0]), int(row[1])
                return created, written - created, len(latest) - written
        return staged - int(existing), int(existing), int(unchanged)

    def get(self, product_id: str) -> dict[str, Any] | None:
        """The stored product, or ``None``."""
        with self._db.connect() as conn:
            row = conn.execute(
                select(products).where(products.c.product_id == product_id)
            ).one_or_none()
        return dict(row._mapping) if row is not None else None
