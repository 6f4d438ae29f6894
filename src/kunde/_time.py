"""Time values the way kunde stores them."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["naive_utc"]


def naive_utc(value: datetime) -> datetime:
    """``value`` as naive UTC, the way kunde stores times (naive values are taken as UTC).

    Raises:
        ValueError: the time falls outside the calendar once converted to UTC.
    """
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # e.g. 0001-01-01T00:30+01:00 falls before year 1 in UTC
        raise ValueError("the time lies outside the calendar once converted to UTC") from None
