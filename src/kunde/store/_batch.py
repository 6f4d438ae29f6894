"""Writing one batch of order lines: duplicate removal, the lines, and what depends on them.

Private to :mod:`kunde.store.orders`. Each function runs inside the caller's transaction.

The new lines of a batch are found once, and everything else — orders, customers,
per-customer-day sums — is derived from them in Arrow, then written in one statement per table:

* SQLite (the caller holds the write lock): the stored keys among the batch are looked up in
  the unique index on ``line_key``, and the other lines are bound straight into
  ``order_lines`` through the driver's ``executemany`` (no staging table: each value is bound
  once);
* PostgreSQL: the batch is ``COPY``-ed into a staging table and inserted with
  ``ON CONFLICT DO NOTHING RETURNING line_key``, which names the new lines even while a
  concurrent batch stores some of the same.

A bulk load into an empty store (:class:`~kunde.store._loaded.LoadedKeys`) finds a batch's
duplicates in memory and inserts the rest unchecked: SQLite a plain ``INSERT`` into a table
without indexes (lines are appended in arrival order), PostgreSQL a ``COPY`` straight into
``order_lines``. Should another writer have stored lines meanwhile, SQLite's batch sees the
table's last rowid moved and PostgreSQL's fails on the primary key; the caller then stores the
batch, and the rest of the load, the checked way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from sqlalchemy import Connection, DateTime, bindparam, text

from kunde.store._copy import copy_payload, copy_text
from kunde.store._driver import executemany, time_text
from kunde.store._loaded import InterleavedError, LoadedKeys, members
from kunde.store._prepared import (
    BULK_COLUMNS,
    LINE_VALUES,
    STAGE_COLUMNS,
    PreparedLines,
    text_times,
)
from kunde.store._summaries import Derived, add_customer_days, add_customers, stage_copy

__all__ = ["STAGE", "STAGE_COLUMNS", "BatchWriter"]

# The columns of order_lines that come from the batch (country belongs to the order).
_LINE_VALUES = LINE_VALUES

STAGE = "kunde_stage_lines"
"""The temporary staging table of a batch (PostgreSQL)."""

_ORDERS = "kunde_stage_orders"
"""The temporary staging table of a batch's orders (PostgreSQL)."""


_ROWS = 64
"""Lines per ``INSERT`` statement on SQLite (64 x at most 11 parameters, well below its limit)."""

_STAGE_TYPES = {
    "line_key": "BIGINT",
    "order_id": "TEXT",
    "customer_id": "TEXT",
    "product_id": "TEXT",
    "ordered_at": "TIMESTAMP",
    "quantity": "BIGINT",
    "unit_price": "DOUBLE PRECISION",
    "amount": "DOUBLE PRECISION",
    "currency": "TEXT",
    "channel": "TEXT",
    "store_id": "TEXT",
    "is_gift": "BOOLEAN",
    "kind": "TEXT",
    "country": "TEXT",
}


def _unknown(lines: pa.Table, known: NDArray[np.bool_]) -> pa.Table:
    """The lines that are not ``known`` (stored before)."""
    return lines.filter(pa.array(~known)) if known.any() else lines


def _last_row(dbapi: Any) -> int | None:
    """The largest rowid of ``order_lines`` (``None``: the table is empty)."""
    row: int | None = dbapi.execute("SELECT max(rowid) FROM order_lines").fetchone()[0]
    return row


class BatchWriter:
    """The SQL of one batch, for SQLite or PostgreSQL.

    Args:
        sqlite: whether the database is SQLite (else PostgreSQL).
    """

    def __init__(self, sqlite: bool) -> None:
        self._sqlite = sqlite

    def write(
        self,
        conn: Connection,
        lines: pa.Table | PreparedLines,
        *,
        source: str,
        now: datetime,
        orders: bool = True,
        loaded: LoadedKeys | None = None,
    ) -> pa.Table:
        """Store the batch's new lines and keep orders, customers and summaries current.

        ``lines``: as they are, or prepared (:class:`~kunde.store._prepared.PreparedLines`).
        ``orders=False``: the caller has inserted the batch's orders (:meth:`orders`) already.
        ``loaded``: the store held only these lines when the transaction began (a bulk load into
        an empty store): the other lines of the batch are inserted without a check (see
        :mod:`kunde.store._loaded` for how another writer's lines are noticed).

        Returns:
            The new lines (the others were stored before).
        """
        if isinstance(lines, pa.Table):
            lines = PreparedLines.of(lines, self._sqlite)
        if lines.lines.num_rows == 0:
            return lines.lines
        if self._sqlite:
            new = self._insert_sqlite(conn, lines, loaded)
        elif loaded is not None:
            new = self._copy_postgres(conn, lines, loaded)
        else:
            new = self._insert_postgres(conn, lines.lines)
        if new.num_rows == 0:
            return new
        # Derived on the reader thread, unless some lines were stored before.
        derived = lines.aggregates() if new is lines.lines else Derived.of(new)
        add_customers(conn, derived, now)
        add_customer_days(conn, derived, now)
        if orders:
            self.orders(conn, derived, source, now)
        return new

    # --- the lines ----------------------------------------------------------------------------

    def _insert_sqlite(
        self, conn: Connection, prepared: PreparedLines, loaded: LoadedKeys | None
    ) -> pa.Table:
        keys = prepared.lines.column("line_key").to_numpy()
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        if loaded is not None:
            # Lines are appended: a line stored by another writer since this load's last batch
            # moved the last rowid (there is no index on line_key to refuse a duplicate).
            loaded.pending_row = _last_row(dbapi)
            if loaded.pending_row != loaded.last_row:
                raise InterleavedError
            prepared = prepared.without(loaded.known(keys))
        else:
            # One look-up per line of the batch in the key's index, the keys bound as one JSON
            # array.
            stored = dbapi.execute(
                "SELECT o.line_key FROM json_each(?) j CROSS JOIN order_lines o "
                "WHERE o.line_key = j.value",
                ("[" + ",".join(map(str, keys.tolist())) + "]",),
            ).fetchall()
            if stored:
                known = np.fromiter((row[0] for row in stored), np.int64, len(stored))
                prepared = prepared.without(members(keys, np.sort(known)))
        rows = prepared.rows
        if rows is None or prepared.lines.num_rows == 0:
            return prepared.lines
        # Several lines per statement: one statement step per _ROWS lines instead of per line.
        count = prepared.lines.num_rows
        whole = count // _ROWS * _ROWS
        width = len(rows.bound)
        dbapi.executemany(
            rows.insert(_ROWS), rows.params[:whole].reshape(-1, _ROWS * width).tolist()
        )
        if whole < count:
            dbapi.execute(rows.insert(count - whole), rows.params[whole:].ravel().tolist())
        if loaded is not None:
            loaded.pending_row = _last_row(dbapi)
        return prepared.lines

    def _insert_postgres(self, conn: Connection, lines: pa.Table) -> pa.Table:
        columns = ", ".join(f"{name} {_STAGE_TYPES[name]}" for name in STAGE_COLUMNS)
        conn.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ({columns})"))
        conn.execute(text(f"TRUNCATE {STAGE}"))
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        statement = f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN"
        with dbapi.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(copy_text(text_times(lines)))
        # Rows in key order, so that concurrent batches never deadlock; what a concurrent
        # batch stored first is skipped here (it waits for that batch to end).
        inserted: Iterable[int] = conn.execute(
            text(
                f"INSERT INTO order_lines ({', '.join(_LINE_VALUES)}, returned_quantity, "
                f"return_of) SELECT {', '.join(f's.{name}' for name in _LINE_VALUES)}, 0, NULL "
                f"FROM {STAGE} s ORDER BY s.line_key ON CONFLICT (line_key) DO NOTHING "
                "RETURNING line_key"
            )
        ).scalars()
        new = np.fromiter(inserted, np.int64)
        if len(new) == lines.num_rows:
            return lines
        return lines.filter(pc.is_in(lines.column("line_key"), value_set=pa.array(new)))

    def _copy_postgres(
        self, conn: Connection, prepared: PreparedLines, loaded: LoadedKeys
    ) -> pa.Table:
        """``COPY`` the lines this load has not stored straight into ``order_lines``."""
        prepared = prepared.without(loaded.known(prepared.lines.column("line_key").to_numpy()))
        if prepared.lines.num_rows == 0:
            return prepared.lines
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        statement = f"COPY order_lines ({', '.join(BULK_COLUMNS)}) FROM STDIN"
        with dbapi.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(copy_payload(prepared.copy_rows()))
        return prepared.lines

    def orders(self, conn: Connection, derived: Derived, source: str, now: datetime) -> None:
        """Insert the missing ones of :attr:`~kunde.store._summaries.Derived.order_table`, in
        ``order_id`` order."""
        if derived.order_table.num_rows == 0:
            return
        if self._sqlite:
            stamp = time_text(now)
            executemany(
                conn,
                "INSERT INTO orders (order_id, customer_id, ordered_at, channel, store_id, "
                "currency, country, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (order_id) DO NOTHING",
                [(*row, source, stamp) for row in derived.orders],
            )
            return
        stage_copy(
            conn,
            _ORDERS,
            "order_id TEXT, customer_id TEXT, ordered_at TIMESTAMP, channel TEXT, store_id TEXT, "
            "currency TEXT, country TEXT",
            derived.copy("order_table"),
        )
        # Rows in key order, so that concurrent batches never deadlock.
        insert = text(
            "INSERT INTO orders (order_id, customer_id, ordered_at, channel, store_id, currency, "
            "country, source, created_at) SELECT order_id, customer_id, ordered_at, channel, "
            f"store_id, currency, country, :source, :now FROM {_ORDERS} ORDER BY order_id "
            "ON CONFLICT (order_id) DO NOTHING"
        )
        conn.execute(
            insert.bindparams(bindparam("now", type_=DateTime())), {"source": source, "now": now}
        )

    def products(
        self, conn: Connection, products: Sequence[Mapping[str, Any]], now: datetime
    ) -> None:
        """Insert missing products; fill in missing names, categories and brands.

        PostgreSQL: rows in ``product_id`` order, so that concurrent batches never deadlock
        (SQLite's write lock admits one batch at a time).
        """
        fill = ("name", "category", "brand")
        stamp = time_text(now)
        if not self._sqlite:
            products = sorted(products, key=lambda p: str(p["product_id"]))
        rows = [
            (p["product_id"], p["name"], p["category"], p["brand"], p["kind"], stamp, stamp)
            for p in products
        ]
        executemany(
            conn,
            "INSERT INTO products (product_id, name, category, brand, kind, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET "
            + ", ".join(f"{f} = COALESCE(products.{f}, excluded.{f})" for f in fill)
            + " WHERE "
            + " OR ".join(f"(products.{f} IS NULL AND excluded.{f} IS NOT NULL)" for f in fill),
            rows,
        )
