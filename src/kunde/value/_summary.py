"""Per-customer purchase histories (frequency, recency, tenure, monetary) from per-day rows.

The store keeps one row per customer and day (``customer_days``: purchased, returned, purchase
lines), so a summary as of any date is one vectorised pass over those rows, never a rescan of
order lines. Days are integers (e.g. days since 1970-01-01) or ``datetime64[D]`` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from kunde.errors import InvalidFieldError
from kunde.value._fitting import ArrayLike, FloatArray

__all__ = [
    "CustomerSummary",
    "holdout_purchases",
    "summarize_customer_days",
    "summarize_customer_totals",
]

IntArray = npt.NDArray[np.int64]

_UNIT_DAYS = {"D": 1.0, "W": 7.0}


@dataclass(frozen=True)
class CustomerSummary:
    """Purchase histories as of one day, one entry per customer index (0 .. n-1).

    Attributes:
        as_of: the last day counted (inclusive).
        has_purchase: whether the customer bought on any day up to ``as_of``; the other
            fields are 0 for customers without.
        first_day: first purchase day.
        last_day: last purchase day.
        frequency: repeat purchase days (distinct purchase days minus one).
        recency_days: days from the first to the last purchase day.
        tenure_days: days from the first purchase day to ``as_of`` (T).
        monetary: mean net value per repeat purchase day: net value (purchases minus returns)
            of all days after the first purchase day, divided by ``frequency``, floored at 0;
            0 without repeat purchases. This is what Gamma-Gamma is fitted on.
        total_value: net value of all days up to ``as_of``.
    """

    as_of: int
    has_purchase: npt.NDArray[np.bool_]
    first_day: IntArray
    last_day: IntArray
    frequency: FloatArray
    recency_days: FloatArray
    tenure_days: FloatArray
    monetary: FloatArray
    total_value: FloatArray

    @property
    def days_since_last(self) -> FloatArray:
        """Days from the last purchase day to ``as_of`` (RFM recency)."""
        out: FloatArray = self.tenure_days - self.recency_days
        return out

    def take(self, index: npt.ArrayLike) -> CustomerSummary:
        """The summaries of the customers at ``index`` (an index array or boolean mask)."""
        at = np.asarray(index)
        return CustomerSummary(
            as_of=self.as_of,
            **{name: getattr(self, name)[at] for name in _FIELDS},
        )

    def concat(self, other: CustomerSummary) -> CustomerSummary:
        """These customers' summaries followed by ``other``'s (as of the same day)."""
        if other.as_of != self.as_of:
            raise InvalidFieldError("as_of", "summaries as of different days cannot be joined")
        return CustomerSummary(
            as_of=self.as_of,
            **{
                name: np.concatenate([getattr(self, name), getattr(other, name)])
                for name in _FIELDS
            },
        )

    def history(self, time_unit: str = "W") -> tuple[FloatArray, FloatArray, FloatArray]:
        """(frequency, recency, T) of the customers with a purchase, in days (D) or weeks (W)."""
        if time_unit not in _UNIT_DAYS:
            raise InvalidFieldError("time_unit", "must be D (days) or W (weeks)")
        unit = _UNIT_DAYS[time_unit]
        keep = self.has_purchase
        return (
            self.frequency[keep],
            self.recency_days[keep] / unit,
            self.tenure_days[keep] / unit,
        )


_FIELDS = (
    "has_purchase",
    "first_day",
    "last_day",
    "frequency",
    "recency_days",
    "tenure_days",
    "monetary",
    "total_value",
)


def _distinct(key: IntArray) -> IntArray:
    """Sorted distinct keys; rows usually arrive sorted by customer and day, then no sort."""
    if key.size and not np.all(key[1:] >= key[:-1]):
        key = np.sort(key)
    if key.size == 0:
        return key
    out: IntArray = key[np.r_[True, key[1:] != key[:-1]]]
    return out


def _as_days(name: str, values: ArrayLike) -> IntArray:
    arr = np.asarray(values)
    if np.issubdtype(arr.dtype, np.datetime64):
        arr = arr.astype("datetime64[D]").astype(np.int64)
    elif not np.issubdtype(arr.dtype, np.integer):
        raise InvalidFieldError(name, "must be integer day numbers or datetime64 values")
    return arr.astype(np.int64).reshape(-1)


def _as_day(name: str, value: object) -> int:
    if isinstance(value, date):
        value = np.datetime64(value, "D")
    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[D]").astype(np.int64))
    if isinstance(value, int | np.integer):
        return int(value)
    raise InvalidFieldError(name, "must be an integer day number or a numpy datetime64")


def _purchase_rows(
    customer: ArrayLike,
    day: ArrayLike,
    value: ArrayLike,
    purchase_day: ArrayLike | None,
    n_customers: int | None,
) -> tuple[IntArray, IntArray, FloatArray, npt.NDArray[np.bool_], int]:
    c = np.asarray(customer).astype(np.int64).reshape(-1)
    d = _as_days("day", day)
    v = np.asarray(value, dtype=np.float64).reshape(-1)
    p = v > 0 if purchase_day is None else np.asarray(purchase_day, dtype=bool).reshape(-1)
    if not c.shape == d.shape == v.shape == p.shape:
        raise InvalidFieldError("customer", "customer, day, value and purchase_day must align")
    if c.size and c.min() < 0:
        raise InvalidFieldError("customer", "customer indexes must be >= 0")
    if not np.all(np.isfinite(v)):
        raise InvalidFieldError("value", "contains NaN or infinite values")
    n = int(c.max()) + 1 if c.size else 0
    if n_customers is not None:
        if n_customers < n:
            raise InvalidFieldError("n_customers", "is smaller than the largest customer index")
        n = n_customers
    return c, d, v, p, n


def summarize_customer_days(
    customer: ArrayLike,
    day: ArrayLike,
    value: ArrayLike,
    *,
    as_of: int | date | np.datetime64 | None = None,
    purchase_day: ArrayLike | None = None,
    n_customers: int | None = None,
) -> CustomerSummary:
    """Summarise per-customer-day rows into purchase histories as of a day.

    Args:
        customer: customer index per row (0 .. n-1).
        day: day per row (integer day numbers or ``datetime64``).
        value: net value of the day (purchases minus returns).
        as_of: last day to count (inclusive); default the latest day in the rows.
        purchase_day: whether the row is a purchase day (the store passes
            ``purchase_lines > 0``); default ``value > 0``. Return-only days change the
            monetary value but are not purchases.
        n_customers: length of the output (default: largest index + 1).

    Returns:
        The per-customer summary.
    """
    c, d, v, p, n = _purchase_rows(customer, day, value, purchase_day, n_customers)
    latest = int(d.max()) if d.size else 0
    as_of_day = latest if as_of is None else _as_day("as_of", as_of)
    keep = d <= as_of_day
    c, d, v, p = c[keep], d[keep], v[keep], p[keep]

    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    n_days = np.zeros(n)
    if p.any():
        cp, dp = c[p], d[p]
        base = int(dp.min())
        span = int(dp.max()) - base + 1
        key = _distinct(cp * span + (dp - base))  # distinct (customer, day), sorted
        kc, kd = key // span, key % span + base
        starts = np.flatnonzero(np.r_[True, kc[1:] != kc[:-1]])
        ends = np.r_[starts[1:], kc.size] - 1
        owners = kc[starts]
        first[owners] = kd[starts]
        last[owners] = kd[ends]
        n_days[owners] = (ends - starts + 1).astype(np.float64)
    has = n_days > 0
    first = np.where(has, first, 0)
    last = np.where(has, last, 0)
    frequency = np.maximum(n_days - 1.0, 0.0)
    recency = np.where(has, last - first, 0).astype(np.float64)
    tenure = np.where(has, as_of_day - first, 0).astype(np.float64)

    after_first = has[c] & (d > first[c])
    repeat_value = np.bincount(c[after_first], weights=v[after_first], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = np.where(frequency > 0, np.maximum(repeat_value, 0.0) / frequency, 0.0)
    total = np.bincount(c, weights=v, minlength=n).astype(np.float64)
    return CustomerSummary(
        as_of=as_of_day,
        has_purchase=has,
        first_day=first.astype(np.int64),
        last_day=last.astype(np.int64),
        frequency=frequency,
        recency_days=recency,
        tenure_days=tenure,
        monetary=monetary,
        total_value=total,
    )


def summarize_customer_totals(
    first_day: ArrayLike,
    last_day: ArrayLike,
    purchase_days: ArrayLike,
    total_value: ArrayLike,
    repeat_value: ArrayLike,
    *,
    as_of: int | date | np.datetime64,
) -> CustomerSummary:
    """Purchase histories from per-customer totals kept up to date by the store (no as-of cut).

    The same summary :func:`summarize_customer_days` gives for all days of the customers when
    ``as_of`` is the latest of their days.

    Args:
        first_day: first purchase day per customer (ignored without purchase days).
        last_day: last purchase day per customer (ignored without purchase days).
        purchase_days: distinct purchase days per customer (0: no purchase).
        total_value: net value of all the customer's days.
        repeat_value: net value of the customer's days after the first purchase day.
        as_of: the day the histories end (T counts up to it).
    """
    n_days = np.asarray(purchase_days).astype(np.int64).reshape(-1)
    first = _as_days("first_day", first_day)
    last = _as_days("last_day", last_day)
    total = np.asarray(total_value, dtype=np.float64).reshape(-1)
    repeat = np.asarray(repeat_value, dtype=np.float64).reshape(-1)
    if not n_days.shape == first.shape == last.shape == total.shape == repeat.shape:
        raise InvalidFieldError("purchase_days", "the per-customer totals must align")
    if not (np.all(np.isfinite(total)) and np.all(np.isfinite(repeat))):
        raise InvalidFieldError("total_value", "contains NaN or infinite values")
    as_of_day = _as_day("as_of", as_of)
    has = n_days > 0
    if np.any(has & ((first > last) | (last > as_of_day))):
        raise InvalidFieldError("last_day", "purchase days must be ordered and <= as_of")
    first = np.where(has, first, 0)
    last = np.where(has, last, 0)
    frequency = np.maximum(n_days - 1, 0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = np.where(frequency > 0, np.maximum(repeat, 0.0) / frequency, 0.0)
    return CustomerSummary(
        as_of=as_of_day,
        has_purchase=has,
        first_day=first,
        last_day=last,
        frequency=frequency,
        recency_days=(last - first).astype(np.float64),
        tenure_days=np.where(has, as_of_day - first, 0).astype(np.float64),
        monetary=monetary,
        total_value=total,
    )


def holdout_purchases(
    customer: ArrayLike,
    day: ArrayLike,
    *,
    after: int | date | np.datetime64,
    until: int | date | np.datetime64,
    value: ArrayLike | None = None,
    purchase_day: ArrayLike | None = None,
    n_customers: int | None = None,
) -> FloatArray:
    """Distinct purchase days per customer in the holdout window (after, until].

    Args:
        customer: customer index per row.
        day: day per row.
        after: last calibration day (excluded).
        until: last holdout day (included).
        value: net value per row, used for the default purchase-day rule (``value > 0``).
        purchase_day: explicit purchase-day flags (overrides ``value``).
        n_customers: length of the output.
    """
    d_arr = _as_days("day", day)
    v = np.ones(d_arr.shape) if value is None else value
    c, d, _, p, n = _purchase_rows(customer, d_arr, v, purchase_day, n_customers)
    lo, hi = _as_day("after", after), _as_day("until", until)
    sel = p & (d > lo) & (d <= hi)
    key = _distinct(c[sel] * (hi - lo + 1) + (d[sel] - lo))
    out: FloatArray = np.bincount(key // (hi - lo + 1), minlength=n).astype(np.float64)
    return out
