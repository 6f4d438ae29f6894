"""The demo shop's calendar: day numbers, months, weekdays and how busy each day is."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

__all__ = [
    "EPOCH",
    "black_weekend_days",
    "busyness",
    "day_number",
    "day_of_year",
    "month_of",
    "weekday_of",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

EPOCH = date(1970, 1, 1)

_MONTH = np.array([0.95, 0.85, 0.9, 0.95, 1.0, 1.0, 0.92, 0.88, 0.95, 1.05, 1.45, 1.9])
"""Share of a year's orders per month (January first): a Christmas peak, a quiet late summer."""
_WEEKDAY = np.array([1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 0.85])
"""Monday first."""


def day_number(d: date) -> int:
    """Days since 1970-01-01."""
    return (d - EPOCH).days


def month_of(days: IntArray) -> IntArray:
    """Month index (0 = January) of each day number."""
    return (days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12).astype(
        np.int64
    )


def weekday_of(days: IntArray) -> IntArray:
    """Weekday (0 = Monday) of each day number; 1970-01-01 was a Thursday."""
    return ((days + 3) % 7).astype(np.int64)


def day_of_year(days: IntArray) -> IntArray:
    """Day of the year, 1 = 1 January."""
    as_date = days.astype("datetime64[D]")
    return np.asarray((as_date - as_date.astype("datetime64[Y]")).astype(np.int64) + 1)


def busyness(days: IntArray) -> FloatArray:
    """Relative number of orders on each day (mean 1 over ``days``).

    Seasonal months, busier Saturdays, Black Friday to Cyber Monday, the weeks before
    Christmas, and quiet Christmas holidays.
    """
    month = month_of(days)
    level = _MONTH[month] * _WEEKDAY[weekday_of(days)]
    as_date = days.astype("datetime64[D]")
    first_of_december = (as_date.astype("datetime64[Y]").astype("datetime64[M]") + 11).astype(
        "datetime64[D]"
    )
    december_day = (as_date - first_of_december).astype(np.int64) + 1
    level = np.where((december_day >= 1) & (december_day <= 21), level * 1.25, level)
    level = np.where((december_day >= 24) & (december_day <= 26), level * 0.3, level)
    level = np.where(np.isin(days, black_weekend_days(days)), level * 2.2, level)
    return np.asarray(level / level.mean(), dtype=np.float64)


def black_weekend_days(days: IntArray) -> IntArray:
    """Black Friday (fourth Friday of November) to Cyber Monday for every year in ``days``."""
    years = np.unique(days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64))
    found: list[int] = []
    for year in years.tolist():
        first = day_number(date(1970 + year, 11, 1))
        first_friday = first + (4 - int(weekday_of(np.array([first]))[0])) % 7
        black_friday = first_friday + 21
        found.extend(range(black_friday, black_friday + 4))
    return np.array(found, dtype=np.int64)
