"""Per-customer-day rows for the value models, read in one set-based query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine as SAEngine
from sqlalchemy import select

from kunde.store.tables import customer_days, data_versions

__all__ = ["BUMP_CUSTOMER_DAYS_VERSION", "CustomerDays", "ValueRepository"]

BUMP_CUSTOMER_DAYS_VERSION = (
    "INSERT INTO data_versions (name, version) VALUES ('customer_days', 1) "
    "ON CONFLICT (name) DO UPDATE SET version = data_versions.version + 1"
)
"""Run in the transaction of every write to ``customer_days`` (an upsert: the row may be missing).

The row lock it takes also orders concurrent writers, so a reader that sees version n sees
every change counted up to n."""


@dataclass(frozen=True)
class CustomerDays:
    """The ``customer_days`` rows as aligned arrays, sorted by customer and day.

    Attributes:
        customer_ids: distinct customer ids; ``customer`` indexes into this array.
        customer: customer index per row.
        day: day per row (days since 1970-01-01).
        purchased: sum of purchase line totals of the day.
        returned: sum of return line totals of the day (<= 0).
        purchase_lines: purchase lines of the day (> 0 on purchase days).
    """

    customer_ids: npt.NDArray[np.object_]
    customer: npt.NDArray[np.int64]
    day: npt.NDArray[np.int64]
    purchased: npt.NDArray[np.float64]
    returned: npt.NDArray[np.float64]
    purchase_lines: npt.NDArray[np.int64]


class ValueRepository:
    """Reads what the value models are fitted on (the import path keeps it up to date)."""

    def __init__(self, db: SAEngine) -> None:
        self._db = db

    def data_version(self) -> int:
        """The ``customer_days`` counter: changes whenever orders, returns or imports add days."""
        query = select(data_versions.c.version).where(data_versions.c.name == "customer_days")
        with self._db.connect() as conn:
            version = conn.execute(query).scalar_one_or_none()
        return int(version or 0)

    def customer_days(self, as_of: date | None = None) -> CustomerDays:
        """All per-customer-day rows, optionally only days up to ``as_of`` (inclusive)."""
        t = customer_days.c
        query = select(t.customer_id, t.day, t.purchased, t.returned, t.purchase_lines)
        if as_of is not None:
            query = query.where(t.day <= as_of)
        query = query.order_by(t.customer_id, t.day)
        with self._db.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            empty_i = np.zeros(0, dtype=np.int64)
            return CustomerDays(
                customer_ids=np.zeros(0, dtype=object),
                customer=empty_i,
                day=empty_i,
                purchased=np.zeros(0),
                returned=np.zeros(0),
                purchase_lines=empty_i.copy(),
            )
        ids, days, purchased, returned, lines = zip(*rows, strict=True)
        ids_arr = np.array(ids, dtype=object)
        # rows are sorted by customer id: a new index starts wherever the id changes
        starts = np.r_[True, ids_arr[1:] != ids_arr[:-1]]
        customer = np.cumsum(starts).astype(np.int64) - 1
        return CustomerDays(
            customer_ids=ids_arr[starts],
            customer=customer,
            day=np.array(days, dtype="datetime64[D]").astype(np.int64),
            purchased=np.array(purchased, dtype=np.float64),
            returned=np.array(returned, dtype=np.float64),
            purchase_lines=np.array(lines, dtype=np.int64),
        )
