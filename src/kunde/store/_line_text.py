"""Order lines read as one text per column and parsed by numpy (see
:meth:`kunde.store.recommend.RecommendRepository.lines`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from kunde.store._recommend_rows import LineRows, line_rows

__all__ = ["days_and_gifts", "line_range"]

_LINES_FROM = (
    "FROM order_lines WHERE kind = 'product' AND product_id IS NOT NULL AND quantity > 0 "
    "AND quantity - returned_quantity > 0"
)
_SEPARATOR = "\x1f"
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 10])
"""Positions of the digits in ``YYYY-MM-DDg`` (g: the gift flag)."""


def days_and_gifts(
    text: str, count: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]] | None:
    """Days since 1970-01-01 and gift flags from ``count`` fixed-width ``YYYY-MM-DDg`` texts
    written one after another (``None``: the text is not that).

    The calendar arithmetic is the proleptic Gregorian days-from-civil (H. Hinnant,
    "chrono-Compatible Low-Level Date Algorithms"), over all lines at once.
    """
    raw = np.frombuffer(text.encode("ascii", "replace"), dtype=np.uint8)
    if len(raw) != 11 * count:
        return None
    chars = raw.reshape(count, 11)
    digits = chars[:, _DIGITS].astype(np.int64) - ord("0")
    if (
        (digits < 0).any()
        or (digits > 9).any()
        or (chars[:, [4, 7]] != ord("-")).any()
        or (digits[:, 8] > 1).any()
    ):
        return None
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 4] * 10 + digits[:, 5]
    day = digits[:, 6] * 10 + digits[:, 7]
    if ((month < 1) | (month > 12) | (day < 1) | (day > 31)).any():
        return None
    year = year - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days: npt.NDArray[np.int64] = era * 146097 + day_of_era - 719468
    return days, digits[:, 8] == 1


def line_range(
    cursor: Any, sqlite: bool, after: int | None, per_read: int
) -> tuple[LineRows, int | None]:
    """The lines of the next ``per_read`` order lines by key after ``after``.

    Returns the lines and the range's last key (``None``: no lines are left after it).
    """
    if sqlite:
        day_gift = "substr(ordered_at, 1, 10) || CAST(is_gift AS INTEGER)"
    else:
        day_gift = "to_char(ordered_at, 'YYYY-MM-DD') || CAST(CAST(is_gift AS INTEGER) AS TEXT)"
    text_columns = [
        "COALESCE(customer_id, '')",
        "order_id",
        "product_id",
        "quantity - returned_quantity",
    ]
    later = "" if after is None else f" AND line_key > {int(after)}"
    # the key LINES_PER_READ order lines of any kind on (a scan of keys only) bounds this
    # read; none: the rest fits in one
    cursor.execute(
        f"SELECT line_key FROM order_lines WHERE TRUE{later} ORDER BY line_key "
        f"LIMIT 1 OFFSET {int(per_read) - 1}"
    )
    bound = cursor.fetchone()
    where = _LINES_FROM + later
    if bound is not None:
        where += f" AND line_key <= {int(bound[0])}"
    if sqlite:  # one pass: every aggregate sees the rows in the same order
        joined = [f"group_concat({c}, char(31))" for c in text_columns]
        joined.append(f"group_concat({day_gift}, '')")
    else:
        joined = [f"string_agg(CAST({c} AS TEXT), chr(31) ORDER BY line_key)" for c in text_columns]
        joined.append(f"string_agg({day_gift}, '' ORDER BY line_key)")
    cursor.execute(f"SELECT COUNT(*), {', '.join(joined)} {where}")
    count, cust, order, product, kept, day_gift_text = cursor.fetchone()
    rest = None if bound is None else int(bound[0])
    if not count:
        return line_rows([]), rest
    split = [np.array(str(v).split(_SEPARATOR), dtype=np.str_) for v in (cust, order, product)]
    quantity = np.fromstring(str(kept), sep=_SEPARATOR)
    day_gift_parsed = days_and_gifts(str(day_gift_text), count)
    if day_gift_parsed is None or any(len(a) != count for a in (*split, quantity)):
        # an id holds the separator (or a day is not ISO): read these rows one by one
        day = (
            "CAST(julianday(substr(ordered_at, 1, 10)) - 2440587.5 AS INTEGER)"
            if sqlite
            else "(CAST(ordered_at AS DATE) - DATE '1970-01-01')"
        )
        columns = list(text_columns)
        columns[3:3] = [day]
        cursor.execute(
            f"SELECT {', '.join(columns)}, CAST(is_gift AS INTEGER) {where} ORDER BY line_key"
        )
        return line_rows(cursor.fetchall()), rest
    day_numbers_, is_gift = day_gift_parsed
    lines = LineRows(
        customer_id=split[0],
        order_id=split[1],
        product_id=split[2],
        day=day_numbers_,
        quantity=quantity.astype(np.float64),
        is_gift=is_gift,
    )
    return lines, rest
