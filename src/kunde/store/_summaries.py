"""Customers, orders and per-customer purchase summaries of a batch's new lines.

Private to :mod:`kunde.store.orders` (called by :class:`~kunde.store._batch.BatchWriter`). Each
function runs inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, DateTime, bindparam, text

from kunde.store._driver import executemany, time_text
from kunde.store.value import BUMP_CUSTOMER_DAYS_VERSION

__all__ = ["Derived", "add_customer_days", "add_customers"]

_DAYS = "kunde_stage_days"


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


@dataclass(frozen=True)
class Derived:
    """What a batch's new lines add besides themselves: their customers, their purchases and
    returns per customer and day, and their orders (Arrow aggregates as plain rows).

    File imports derive them on their reader thread (see :mod:`kunde.store._prepared`).
    """

    customers: list[str]
    """Distinct, sorted."""
    days: list[tuple[Any, ...]]
    """(customer, day, purchased, returned, purchase lines), by customer and day."""
    orders: list[tuple[Any, ...]]
    """(order, customer, ordered at, channel, store, currency, country), by order."""

    @classmethod
    def of(cls, lines: pa.Table) -> Derived:
        return cls(_customers_of(lines), _days_of(lines), _orders_of(lines))


def _customers_of(lines: pa.Table) -> list[str]:
    customers: list[str] = pc.unique(lines.column("customer_id").drop_null()).sort().to_pylist()
    return customers


def _orders_of(lines: pa.Table) -> list[tuple[Any, ...]]:
    """One row per order: the least of each field over its lines."""
    if lines.num_rows == 0:
        return []
    fields = ("customer_id", "ordered_at", "channel", "store_id", "currency", "country")
    grouped = (
        lines.group_by("order_id", use_threads=False)
        .aggregate([(f, "min") for f in fields])
        .sort_by("order_id")
    )
    values = [grouped.column("order_id").to_pylist()]
    for f in fields:
        column = grouped.column(f"{f}_min")
        if f == "ordered_at":
            column = column.cast(pa.string())
        values.append(column.to_pylist())
    return list(zip(*values, strict=True))


def _days_of(lines: pa.Table) -> list[tuple[Any, ...]]:
    """Purchase summaries count ``product`` lines (and order-level rows) only."""
    purchases = lines.filter(
        pc.and_(pc.is_valid(lines.column("customer_id")), pc.equal(lines.column("kind"), "product"))
    )
    if purchases.num_rows == 0:
        return []
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
    return list(zip(*(days.column(name).to_pylist() for name in names), strict=True))


def add_customers(conn: Connection, customers: Sequence[str], now: datetime) -> None:
    """Insert the customers (of :attr:`Derived.customers`) that are missing."""
    stamp = time_text(now)
    executemany(
        conn,
        "INSERT INTO customers (customer_id, created_at, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (customer_id) DO NOTHING",
        [(customer, stamp, stamp) for customer in customers],
    )


def add_customer_days(conn: Connection, days: Sequence[tuple[Any, ...]], now: datetime) -> None:
    """Add the purchases and returns of :attr:`Derived.days` to ``customer_days``, and
    recompute the ``customer_summaries`` of their customers from those days."""
    if not days:
        return
    sqlite = conn.dialect.name == "sqlite"
    day_type = "TEXT" if sqlite else "DATE"
    conn.execute(
        text(
            f"CREATE TEMP TABLE IF NOT EXISTS {_DAYS} (customer_id TEXT, day {day_type}, "
            "purchased DOUBLE PRECISION, returned DOUBLE PRECISION, purchase_lines BIGINT)"
        )
    )
    conn.execute(text(f"DELETE FROM {_DAYS}"))
    executemany(conn, f"INSERT INTO {_DAYS} VALUES (?, ?, ?, ?, ?)", days)
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
