"""The rows the recommendation store reads, and the statements a serving request runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Boolean,
    DateTime,
    bindparam,
    text,
)

__all__ = [
    "EPOCH",
    "STATE_SQL",
    "CatalogRows",
    "EditorialPicks",
    "LineRows",
    "ServingState",
    "day_numbers",
    "line_rows",
    "texts",
]

EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class LineRows:
    """Bought product lines, returns netted, as aligned arrays.

    Attributes:
        customer_id: customer id per line ('' for anonymous orders).
        order_id: order id per line.
        product_id: product id per line.
        day: day per line (days since 1970-01-01).
        quantity: units kept (bought minus returned), always > 0.
        is_gift: gift flag per line.
        at: order time per line (only when read for one customer).
    """

    customer_id: npt.NDArray[np.str_]
    order_id: npt.NDArray[np.str_]
    product_id: npt.NDArray[np.str_]
    day: npt.NDArray[np.int64]
    quantity: npt.NDArray[np.float64]
    is_gift: npt.NDArray[np.bool_]
    at: npt.NDArray[np.datetime64] | None = None


@dataclass(frozen=True)
class CatalogRows:
    """The catalog's product rows (kind ``product`` only), sorted by product id.

    Attributes:
        product_id, name, category, description: per product ('' where missing).
        released_day: release day (days since 1970-01-01), -1 where unknown.
    """

    product_id: npt.NDArray[np.str_]
    name: list[str]
    category: list[str]
    description: list[str]
    released_day: npt.NDArray[np.int64]


@dataclass(frozen=True)
class EditorialPicks:
    """The shop's editorial picks in order, and the share of slots they may fill."""

    product_ids: list[str]
    share: float | None
    updated_at: datetime | None


@dataclass(frozen=True)
class ServingState:
    """What one request needs to know about a customer, read in one round of small queries.

    Attributes:
        country: the customer's country ('' when unknown).
        consent: whether personalization is granted (for a merged profile: the person's
            latest expressed will, the newest ``personalization`` entry among its members).
        reset_at: their last "reset all" (``None``: never).
        removed: ``(category, removed_at)`` of their removed interests.
        lines: their bought product lines with exact times (:meth:`customer_lines`).
        editorial: the shop's editorial picks.
        members: the customer ids of the profile, the profile id first, then sorted.
    """

    country: str
    consent: bool
    reset_at: datetime | None
    removed: list[tuple[str, datetime]]
    lines: LineRows
    editorial: EditorialPicks
    members: list[str]


# The serving path runs these per request: plain statements built once, cheap to execute.
# ``:ids`` are the customer ids of one profile (one id unless customers were merged).
_IDS: Any = bindparam("ids", expanding=True)
STATE_SQL: dict[str, Any] = {
    # the customer's profile id and every customer id of it (no rows: unknown customer)
    "members": text(
        "WITH RECURSIVE up(id) AS ("
        " SELECT c.customer_id FROM customers c WHERE c.customer_id = :customer_id"
        " UNION SELECT m.customer_id FROM customer_merges m JOIN up"
        " ON m.absorbed_customer_id = up.id WHERE m.undone_at IS NULL),"
        " root(id) AS (SELECT up.id FROM up WHERE NOT EXISTS (SELECT 1 FROM customer_merges m"
        " WHERE m.absorbed_customer_id = up.id AND m.undone_at IS NULL)),"
        " down(id) AS (SELECT root.id FROM root"
        " UNION SELECT m.absorbed_customer_id FROM customer_merges m JOIN down"
        " ON m.customer_id = down.id WHERE m.undone_at IS NULL)"
        " SELECT (SELECT root.id FROM root) AS profile, down.id FROM down"
    ),
    # the profile's country, latest reset, and how many of its ids' latest personalization
    # entries there are and how many of them grant it
    "profile": text(
        "SELECT COALESCE(c.country, '') AS country, "
        "(SELECT MAX(r.reset_at) FROM personalization_resets r WHERE r.customer_id IN :ids) "
        "AS reset_at, COUNT(e.entry_id) AS entries, "
        "COALESCE(SUM(CASE WHEN e.granted THEN 1 ELSE 0 END), 0) AS grants "
        "FROM (SELECT 1 AS one) AS one LEFT JOIN customers c ON c.customer_id = :profile "
        "LEFT JOIN consent_entries e ON e.entry_id = (SELECT MAX(x.entry_id) "
        "FROM consent_entries x WHERE x.customer_id IN :ids "
        "AND x.purpose = 'personalization') "
        "GROUP BY c.country"
    )
    .bindparams(_IDS)
    .columns(reset_at=DateTime),
    "removed": text(
        "SELECT category, MAX(removed_at) AS removed_at FROM removed_interests "
        "WHERE customer_id IN :ids GROUP BY category ORDER BY category"
    )
    .bindparams(_IDS)
    .columns(removed_at=DateTime),
    "lines": text(
        "SELECT product_id, ordered_at, quantity - returned_quantity AS kept, is_gift "
        "FROM order_lines WHERE customer_id IN :ids AND kind = 'product' "
        "AND product_id IS NOT NULL AND quantity > 0 AND quantity - returned_quantity > 0"
    )
    .bindparams(_IDS)
    .columns(ordered_at=DateTime, is_gift=Boolean),
    "editorial": text(
        "SELECT product_id, share, updated_at FROM editorial_picks ORDER BY position"
    ).columns(updated_at=DateTime),
}


def day_numbers(values: Sequence[Any]) -> npt.NDArray[np.int64]:
    """Dates (``date`` objects or ISO strings) as days since 1970-01-01."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    days: npt.NDArray[np.int64] = (np.array(values, dtype="datetime64[D]") - EPOCH).astype(np.int64)
    return days


def line_rows(rows: Sequence[Any]) -> LineRows:
    if not rows:
        empty = np.zeros(0, dtype=np.str_)
        return LineRows(empty, empty, empty, np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))
    cust, order, product, day, quantity, gift = zip(*rows, strict=True)
    return LineRows(
        customer_id=np.array(cust, dtype=np.str_),
        order_id=np.array(order, dtype=np.str_),
        product_id=np.array(product, dtype=np.str_),
        day=day_numbers(day),
        quantity=np.array(quantity, dtype=np.float64),
        is_gift=np.array(gift, dtype=bool),
    )


def texts(values: Sequence[Any]) -> npt.NDArray[np.str_]:
    return np.array(["" if v is None else str(v) for v in values], dtype=np.str_)
