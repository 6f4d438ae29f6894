"""Customers, orders and per-customer purchase summaries of a batch's new lines.

Private to :mod:`kunde.store.orders` (called by :class:`~kunde.store._batch.BatchWriter`). Each
function runs inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, DateTime, bindparam, text

from kunde.store._copy import copy_text
from kunde.store._driver import executemany, time_text
from kunde.store.value import BUMP_CUSTOMER_DAYS_VERSION

__all__ = ["Derived", "add_customer_days", "add_customers", "stage_copy"]

_DAYS = "kunde_stage_days"
_CUSTOMERS = "kunde_stage_customers"


# The summaries of the batch's customers, recomputed from all their days: first and last purchase
# day, distinct purchase days, net revenue, net revenue after the first purchase day (Gamma-Gamma's
# repeat spend) and the latest day with any row (the value models' default as-of day).
# PostgreSQL: rows in key order ({order}), so that concurrent batches never deadlock.
_SUMMARIES = (
    "INSERT INTO customer_summaries (customer_id, first_purchase_day, last_purchase_day, "
    "purchase_days, net_revenue, repeat_net_revenue, last_activity_day, updated_at) "
    "SELECT d.customer_id, f.first_day, MAX(CASE WHEN d.purchase_lines > 0 THEN d.day END), "
    "SUM(CASE WHEN d.purchase_lines > 0 THEN 1 ELSE 0 END), SUM(d.purchased + d.returned), "
    "SUM(CASE WHEN d.day > f.first_day THEN d.purchased + d.returned ELSE 0 END), "
    "MAX(d.day), :now FROM customer_days d LEFT JOIN (SELECT customer_id, MIN(day) AS first_day "
    "FROM customer_days WHERE purchase_lines > 0 AND customer_id IN (SELECT customer_id FROM "
    f"{_DAYS}) GROUP BY customer_id) f ON f.customer_id = d.customer_id "
    f"WHERE d.customer_id IN (SELECT customer_id FROM {_DAYS}) "
    "GROUP BY d.customer_id, f.first_day {order} "
    "ON CONFLICT (customer_id) DO UPDATE SET "
    "first_purchase_day = excluded.first_purchase_day, "
    "last_purchase_day = excluded.last_purchase_day, "
    "purchase_days = excluded.purchase_days, net_revenue = excluded.net_revenue, "
    "repeat_net_revenue = excluded.repeat_net_revenue, "
    "last_activity_day = excluded.last_activity_day, updated_at = excluded.updated_at"
)


_ORDER_FIELDS = ("customer_id", "ordered_at", "channel", "store_id", "currency", "country")


@dataclass(frozen=True)
class Derived:
    """What a batch's new lines add besides themselves: their customers, their purchases and
    returns per customer and day, and their orders (Arrow aggregates).

    SQLite binds them as plain rows (:attr:`customers`, :attr:`days`, :attr:`orders`),
    PostgreSQL copies them as text (:meth:`copy`); :meth:`ready` builds the form a dialect
    writes, so that file imports do it on their reader thread (see :mod:`kunde.store._prepared`).
    """

    customer_table: pa.Table
    """``customer_id``: distinct, sorted."""
    day_table: pa.Table
    """``customer_id``, ``day``, ``purchased``, ``returned``, ``purchase_lines``, by customer
    and day."""
    order_table: pa.Table
    """``order_id`` and :data:`_ORDER_FIELDS` (``ordered_at`` as text), by order."""

    @classmethod
    def of(cls, lines: pa.Table) -> Derived:
        return cls(_customers_of(lines), _days_of(lines), _orders_of(lines))

    def ready(self, sqlite: bool) -> Derived:
        """Build now what :func:`add_customers`, :func:`add_customer_days` and the orders'
        insert read (rows for SQLite, COPY text for PostgreSQL)."""
        if sqlite:
            _ = (self.customers, self.days, self.orders)
        else:
            _ = (self.copy("customer_table"), self.copy("day_table"), self.copy("order_table"))
        return self

    @cached_property
    def customers(self) -> list[str]:
        customers: list[str] = self.customer_table.column(0).to_pylist()
        return customers

    @cached_property
    def days(self) -> list[tuple[Any, ...]]:
        """(customer, day, purchased, returned, purchase lines)."""
        return _rows(self.day_table)

    @cached_property
    def orders(self) -> list[tuple[Any, ...]]:
        """(order, customer, ordered at, channel, store, currency, country)."""
        return _rows(self.order_table)

    def copy(self, name: str) -> bytes:
        """The table ``name`` (a field of this class) in PostgreSQL's COPY text format."""
        texts: dict[str, bytes] = self.__dict__.setdefault("_copies", {})
        if name not in texts:
            texts[name] = copy_text(getattr(self, name))
        return texts[name]


def _rows(table: pa.Table) -> list[tuple[Any, ...]]:
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


def _customers_of(lines: pa.Table) -> pa.Table:
    customers = pc.unique(lines.column("customer_id").drop_null()).sort()
    return pa.table({"customer_id": customers})


def _orders_of(lines: pa.Table) -> pa.Table:
    """One row per order: the least of each field over its lines."""
    grouped = (
        lines.group_by("order_id", use_threads=False)
        .aggregate([(f, "min") for f in _ORDER_FIELDS])
        .sort_by("order_id")
    )
    columns = {"order_id": grouped.column("order_id")}
    for f in _ORDER_FIELDS:
        column = grouped.column(f"{f}_min")
        columns[f] = column.cast(pa.string()) if f == "ordered_at" else column
    return pa.table(columns)


def _days_of(lines: pa.Table) -> pa.Table:
    """Purchase summaries count ``product`` lines (and order-level rows) only."""
    purchases = lines.filter(
        pc.and_(pc.is_valid(lines.column("customer_id")), pc.equal(lines.column("kind"), "product"))
    )
    quantity = purchases.column("quantity")
    amount = purchases.column("amount")
    zero = pa.scalar(0.0)
    bought = pc.greater(quantity, 0)
    days = (
        pa.table(
            {
                "customer_id": purchases.column("customer_id"),
                "day": pc.utf8_slice_codeunits(
                    purchases.column("ordered_at").cast(pa.string()), 0, 10
                ),
                "purchased": pc.if_else(bought, amount, zero),
                "returned": pc.if_else(pc.less(quantity, 0), amount, zero),
                "purchase_lines": bought.cast(pa.int64()),
            }
        )
        .group_by(["customer_id", "day"], use_threads=False)
        .aggregate([("purchased", "sum"), ("returned", "sum"), ("purchase_lines", "sum")])
        .sort_by([("customer_id", "ascending"), ("day", "ascending")])
    )
    names = ("customer_id", "day", "purchased_sum", "returned_sum", "purchase_lines_sum")
    return days.select(list(names)).rename_columns(
        ["customer_id", "day", "purchased", "returned", "purchase_lines"]
    )


def stage_copy(conn: Connection, name: str, columns: str, payload: bytes) -> None:
    """PostgreSQL: the temporary table ``name`` (``columns``: its DDL), holding only the rows
    of ``payload`` (COPY text)."""
    conn.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})"))
    conn.execute(text(f"DELETE FROM {name}"))
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    with dbapi.cursor() as cursor, cursor.copy(f"COPY {name} FROM STDIN") as copy:
        copy.write(payload)


def add_customers(conn: Connection, derived: Derived, now: datetime) -> None:
    """Insert the customers (of :attr:`Derived.customer_table`) that are missing."""
    if derived.customer_table.num_rows == 0:
        return
    if conn.dialect.name == "sqlite":
        stamp = time_text(now)
        executemany(
            conn,
            "INSERT INTO customers (customer_id, created_at, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (customer_id) DO NOTHING",
            [(customer, stamp, stamp) for customer in derived.customers],
        )
        return
    stage_copy(conn, _CUSTOMERS, "customer_id TEXT", derived.copy("customer_table"))
    # Rows in key order, so that concurrent batches never deadlock.
    insert = text(
        f"INSERT INTO customers (customer_id, created_at, updated_at) SELECT customer_id, :now, "
        f":now FROM {_CUSTOMERS} ORDER BY customer_id ON CONFLICT (customer_id) DO NOTHING"
    )
    conn.execute(insert.bindparams(bindparam("now", type_=DateTime())), {"now": now})


def add_customer_days(conn: Connection, derived: Derived, now: datetime) -> None:
    """Add the purchases and returns of :attr:`Derived.day_table` to ``customer_days``, and
    recompute the ``customer_summaries`` of their customers from those days."""
    if derived.day_table.num_rows == 0:
        return
    sqlite = conn.dialect.name == "sqlite"
    day_type = "TEXT" if sqlite else "DATE"
    columns = (
        f"customer_id TEXT, day {day_type}, purchased DOUBLE PRECISION, "
        "returned DOUBLE PRECISION, purchase_lines BIGINT"
    )
    if sqlite:
        conn.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {_DAYS} ({columns})"))
        conn.execute(text(f"DELETE FROM {_DAYS}"))
        executemany(conn, f"INSERT INTO {_DAYS} VALUES (?, ?, ?, ?, ?)", derived.days)
    else:
        stage_copy(conn, _DAYS, columns, derived.copy("day_table"))
    # PostgreSQL: rows in key order, so that concurrent batches never deadlock.
    ordered = "WHERE true" if sqlite else "ORDER BY customer_id, day"
    conn.execute(
        text(
            "INSERT INTO customer_days (customer_id, day, purchased, returned, "
            f"purchase_lines) SELECT customer_id, day, purchased, returned, purchase_lines "
            f"FROM {_DAYS} {ordered} ON CONFLICT (customer_id, day) DO UPDATE SET "
            "purchased = customer_days.purchased + excluded.purchased, "
            "returned = customer_days.returned + excluded.returned, "
            "purchase_lines = customer_days.purchase_lines + excluded.purchase_lines"
        )
    )
    summaries = _SUMMARIES.format(order="" if sqlite else "ORDER BY d.customer_id")
    conn.execute(text(summaries).bindparams(bindparam("now", type_=DateTime())), {"now": now})
    # the value scores cached by the API key on this counter (store/value.py)
    conn.exec_driver_sql(BUMP_CUSTOMER_DAYS_VERSION)
