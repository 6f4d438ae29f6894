"""The rows the recommendation store reads, and the statements a serving request runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "EPOCH",
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
