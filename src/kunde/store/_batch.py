"""Writing one batch of order lines: staging, duplicate removal and the set-based statements.

Private to :mod:`kunde.store.orders`. Each function runs inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, DateTime, bindparam, text

from kunde.orders import LINE_COLUMNS
from kunde.store._copy import copy_text
from kunde.store.value import BUMP_CUSTOMER_DAYS_VERSION

__all__ = ["STAGE", "STAGE_COLUMNS", "BatchWriter"]

# The product description columns of a line go to the products table, not to order_lines.
_PRODUCT_COLUMNS = frozenset({"product_kind", "product_name", "category", "brand"})
STAGE_COLUMNS: tuple[str, ...] = tuple(c for c in LINE_COLUMNS if c not in _PRODUCT_COLUMNS)
"""Columns of a batch that :meth:`OrderRepository.ingest` reads (other columns are ignored)."""

# Columns that are often one value for a whole batch; SQLite binds them once instead of per row.
_FOLDABLE = ("amount", "currency", "channel", "store_id", "is_gift", "kind", "country")

STAGE = "kunde_stage_lines"
"""The temporary staging table of a batch."""

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


def _sql(statement: str) -> Any:
    """``text(statement)`` with ``:now`` bound as a date-time (stored alike on every database)."""
    query = text(statement)
    if ":now" in statement:
        query = query.bindparams(bindparam("now", type_=DateTime()))
    return query


class BatchWriter:
    """The SQL of one batch, for SQLite or PostgreSQL.

    Args:
        sqlite: whether the database is SQLite (else PostgreSQL).
    """

    def __init__(self, sqlite: bool) -> None:
        self._sqlite = sqlite

    def write(
        self, conn: Connection, lines: pa.Table, *, source: str, now: datetime, orders: bool = True
    ) -> int:
        """Stage, dedupe and store one batch; returns how many lines were new.

        ``orders=False``: the caller has inserted the batch's orders (:meth:`orders`) already.
        """
        folded, folded_params = self._stage(conn, lines.select(list(STAGE_COLUMNS)))
        columns = {name: f"s.{name}" for name in STAGE_COLUMNS}
        params: dict[str, Any] = {"now": now}
        columns.update(folded)
        params.update(folded_params)
        statements = iter(self._statements(columns))
        insert_lines = next(statements)
        if self._sqlite:
            # One primary-key lookup per staged line; SQLite has no cheaper way to ask.
            existing = conn.execute(
                text(
                    f"DELETE FROM {STAGE} WHERE EXISTS "
                    f"(SELECT 1 FROM order_lines o WHERE o.line_key = {STAGE}.line_key)"
                )
            ).rowcount
            if existing < lines.num_rows:
                conn.execute(_sql(insert_lines), params)
        else:
            # Insert what is new, then drop the rest from the stage: work in proportion to
            # the batch, not to the lines stored before.
            existing = conn.execute(
                _sql(
                    f"WITH inserted AS ({insert_lines} ON CONFLICT (line_key) DO NOTHING "
                    f"RETURNING line_key) DELETE FROM {STAGE} WHERE line_key NOT IN "
                    "(SELECT line_key FROM inserted)"
                ),
                params,
            ).rowcount
        new: int = lines.num_rows - max(0, existing)
        if not new:
            return 0
        for statement in statements:
            conn.execute(_sql(statement), params)
        if orders:
            self.orders(conn, lines, source, now)
        return new

    def orders(self, conn: Connection, lines: pa.Table, source: str, now: datetime) -> None:
        """Insert the batch's missing orders (aggregated in Arrow), in ``order_id`` order."""
        if lines.num_rows == 0:
            return
        fields = ("customer_id", "ordered_at", "channel", "store_id", "currency", "country")
        grouped = (
            lines.group_by("order_id", use_threads=False)
            .aggregate([(f, "min") for f in fields])
            .sort_by("order_id")
        )
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
        values = [grouped.column("order_id").to_pylist()]
        for f in fields:
            column = grouped.column(f"{f}_min")
            if f == "ordered_at":
                column = column.cast(pa.string())
            values.append(column.to_pylist())
        rows = [(*row, source, stamp) for row in zip(*values, strict=True)]
        self._executemany(
            conn,
            "INSERT INTO orders (order_id, customer_id, ordered_at, channel, store_id, currency, "
            "country, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (order_id) DO NOTHING",
            rows,
        )

    def _executemany(self, conn: Connection, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run a ``?``-parameter statement once per row through the driver (no SQL per row)."""
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        if self._sqlite:
            dbapi.executemany(statement, rows)
            return
        with dbapi.cursor() as cursor:
            cursor.executemany(statement.replace("?", "%s"), rows)

    def match_returns(self, conn: Connection, among: str | None) -> None:
        """Link unlinked returns (among the line keys selected by ``among``, or all)."""
        least = "min" if self._sqlite else "LEAST"
        scope = f"AND r.line_key IN ({among}) " if among else ""
        conn.execute(text("DROP TABLE IF EXISTS kunde_stage_returns"))
        conn.execute(
            text(
                "CREATE TEMP TABLE kunde_stage_returns AS "
                "SELECT r.line_key AS returned, -r.quantity AS units, ("
                "SELECT o.line_key FROM order_lines o WHERE o.customer_id = r.customer_id "
                "AND o.product_id = r.product_id AND o.quantity > 0 "
                "AND o.ordered_at <= r.ordered_at "
                "ORDER BY o.ordered_at DESC, o.line_key DESC LIMIT 1) AS original "
                "FROM order_lines r WHERE r.quantity < 0 AND r.return_of IS NULL "
                f"AND r.customer_id IS NOT NULL AND r.product_id IS NOT NULL {scope}"
            )
        )
        conn.execute(
            text(
                "UPDATE order_lines SET return_of = m.original FROM kunde_stage_returns m "
                "WHERE order_lines.line_key = m.returned AND m.original IS NOT NULL"
            )
        )
        conn.execute(
            text(
                f"UPDATE order_lines SET returned_quantity = {least}(order_lines.quantity, "
                "order_lines.returned_quantity + m.units) FROM (SELECT original, SUM(units) "
                "AS units FROM kunde_stage_returns WHERE original IS NOT NULL "
                "GROUP BY original) AS m WHERE order_lines.line_key = m.original"
            )
        )
        conn.execute(text("DROP TABLE kunde_stage_returns"))

    def _stage(self, conn: Connection, table: pa.Table) -> tuple[dict[str, str], dict[str, Any]]:
        """Load the batch into the staging table.

        Returns:
            SQL expressions for columns bound once instead of staged (SQLite), and their values.
        """
        types = dict(_STAGE_TYPES, ordered_at="TEXT") if self._sqlite else _STAGE_TYPES
        columns = ", ".join(f"{name} {types[name]}" for name in STAGE_COLUMNS)
        conn.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ({columns})"))
        conn.execute(text(f"DELETE FROM {STAGE}" if self._sqlite else f"TRUNCATE {STAGE}"))
        if table.num_rows == 0:
            return {}, {}
        table = table.set_column(
            table.schema.get_field_index("ordered_at"),
            "ordered_at",
            table.column("ordered_at").cast(pa.string()),
        )
        given = pc.is_valid(table.column("unit_price"))
        table = table.set_column(
            table.schema.get_field_index("amount"),
            "amount",
            pc.if_else(given, pa.scalar(None, pa.float64()), table.column("amount")),
        )
        if self._sqlite:
            return self._stage_sqlite(conn, table)
        self._stage_postgres(conn, table)
        return {}, {}

    def _stage_sqlite(
        self, conn: Connection, table: pa.Table
    ) -> tuple[dict[str, str], dict[str, Any]]:
        folded: dict[str, str] = {}
        folded_params: dict[str, Any] = {}
        varying = []
        for name in STAGE_COLUMNS:
            column = table.column(name)
            if name in _FOLDABLE:
                if column.null_count == len(column):
                    folded[name] = "NULL"
                    continue
                if column.null_count == 0 and pc.count_distinct(column).as_py() == 1:
                    value = column[0].as_py()
                    folded[name] = f":c_{name}"
                    folded_params[f"c_{name}"] = value
                    continue
            varying.append(name)
        values = [table.column(name).to_pylist() for name in varying]
        marks = ", ".join("?" for _ in varying)
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        dbapi.executemany(
            f"INSERT INTO {STAGE} ({', '.join(varying)}) VALUES ({marks})",
            zip(*values, strict=True),
        )
        return folded, folded_params

    def _stage_postgres(self, conn: Connection, table: pa.Table) -> None:
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        payload = copy_text(table)
        statement = f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN"
        with dbapi.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(payload)

    def _statements(self, c: Mapping[str, str]) -> Iterable[str]:
        day = "substr(s.ordered_at, 1, 10)" if self._sqlite else "CAST(s.ordered_at AS DATE)"
        # The batch leaves amount empty where it is quantity * unit_price (fewer values to bind).
        amount = f"COALESCE({c['amount']}, s.quantity * s.unit_price)"

        def ordered(keys: str) -> str:
            # PostgreSQL: rows in key order, so that concurrent batches never deadlock.
            return "" if self._sqlite else f" ORDER BY {keys}"

        yield (
            "INSERT INTO order_lines (line_key, order_id, customer_id, product_id, ordered_at, "
            "quantity, unit_price, amount, currency, channel, store_id, is_gift, kind, "
            "returned_quantity, return_of) "
            f"SELECT s.line_key, s.order_id, s.customer_id, s.product_id, s.ordered_at, "
            f"s.quantity, s.unit_price, {amount}, {c['currency']}, {c['channel']}, "
            f"{c['store_id']}, {c['is_gift']}, {c['kind']}, 0, NULL FROM {STAGE} s"
            # SQLite reads the stage in the order it was written: already sorted by key.
            + ("" if self._sqlite else " ORDER BY s.line_key")
        )
        yield (
            "INSERT INTO customers (customer_id, created_at, updated_at) "
            f"SELECT DISTINCT s.customer_id, :now, :now FROM {STAGE} s "
            f"WHERE s.customer_id IS NOT NULL{ordered('s.customer_id')} "
            "ON CONFLICT (customer_id) DO NOTHING"
        )
        purchase = f"s.customer_id IS NOT NULL AND {c['kind']} = 'product'"
        yield (
            "INSERT INTO customer_days (customer_id, day, purchased, returned, purchase_lines) "
            f"SELECT s.customer_id, {day}, "
            f"SUM(CASE WHEN s.quantity > 0 THEN {amount} ELSE 0 END), "
            f"SUM(CASE WHEN s.quantity < 0 THEN {amount} ELSE 0 END), "
            "SUM(CASE WHEN s.quantity > 0 THEN 1 ELSE 0 END) "
            f"FROM {STAGE} s WHERE {purchase} GROUP BY s.customer_id, {day}{ordered('1, 2')} "
            "ON CONFLICT (customer_id, day) DO UPDATE SET "
            "purchased = customer_days.purchased + excluded.purchased, "
            "returned = customer_days.returned + excluded.returned, "
            "purchase_lines = customer_days.purchase_lines + excluded.purchase_lines"
        )
        yield (
            "INSERT INTO customer_summaries (customer_id, first_purchase_day, last_purchase_day, "
            "purchase_days, net_revenue, updated_at) "
            "SELECT d.customer_id, MIN(CASE WHEN d.purchase_lines > 0 THEN d.day END), "
            "MAX(CASE WHEN d.purchase_lines > 0 THEN d.day END), "
            "SUM(CASE WHEN d.purchase_lines > 0 THEN 1 ELSE 0 END), "
            "SUM(d.purchased + d.returned), :now FROM customer_days d "
            f"WHERE d.customer_id IN (SELECT s.customer_id FROM {STAGE} s WHERE {purchase}) "
            f"GROUP BY d.customer_id{ordered('d.customer_id')} "
            "ON CONFLICT (customer_id) DO UPDATE SET "
            "first_purchase_day = excluded.first_purchase_day, "
            "last_purchase_day = excluded.last_purchase_day, "
            "purchase_days = excluded.purchase_days, net_revenue = excluded.net_revenue, "
            "updated_at = excluded.updated_at"
        )
        # the value scores cached by the API key on this counter (store/value.py)
        yield BUMP_CUSTOMER_DAYS_VERSION

    def products(
        self, conn: Connection, products: Sequence[Mapping[str, Any]], now: datetime
    ) -> None:
        """Insert missing products; fill in missing names, categories and brands."""
        fill = ("name", "category", "brand")
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
        rows = [
            (p["product_id"], p["name"], p["category"], p["brand"], p["kind"], stamp, stamp)
            for p in sorted(products, key=lambda p: str(p["product_id"]))
        ]
        self._executemany(
            conn,
            "INSERT INTO products (product_id, name, category, brand, kind, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET "
            + ", ".join(f"{f} = COALESCE(products.{f}, excluded.{f})" for f in fill)
            + " WHERE "
            + " OR ".join(f"(products.{f} IS NULL AND excluded.{f} IS NOT NULL)" for f in fill),
            rows,
        )
