"""Vectorised parsing of text columns, and the first reason each bad row was refused for.

Every parser takes a string array (nulls for empty values) and returns the parsed array plus a
boolean mask of values that were present but could not be parsed. The Python fallbacks run on
the distinct failing values only, never once per row of a clean file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

__all__ = [
    "Reasons",
    "clean_text",
    "mask",
    "parse_bool",
    "parse_float",
    "parse_int",
    "parse_timestamp",
    "too_long",
]

_INT = r"^[+-]?[0-9]{1,18}(\.0*)?$"
_FLOAT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$"
_TRUE = ["true", "t", "1", "yes", "y", "ja", "j", "x"]
_FALSE = ["false", "f", "0", "no", "n", "nein"]


def mask(array: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
    """A boolean array as numpy, nulls as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def clean_text(column: pa.Array) -> pa.Array:
    """Trim surrounding whitespace; empty values become null."""
    trimmed = pc.utf8_trim_whitespace(column)
    empty = pc.equal(pc.binary_length(trimmed), 0)  # faster than comparing with ""
    return pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)


def too_long(column: pa.Array, limit: int) -> NDArray[np.bool_]:
    """Which values have more than ``limit`` characters."""
    return mask(pc.greater(pc.utf8_length(column), limit))


def _bad(column: pa.Array, ok: pa.Array) -> NDArray[np.bool_]:
    return mask(pc.and_(pc.is_valid(column), pc.invert(ok)))


def parse_int(column: pa.Array) -> tuple[pa.Array, NDArray[np.bool_]]:
    """Whole numbers (``3``, ``-2``, ``4.0``); returns int64 with nulls and the bad mask."""
    ok = pc.fill_null(pc.match_substring_regex(column, _INT), False)
    has_point = pc.any(pc.match_substring(column, ".")).as_py()
    digits = pc.replace_substring_regex(column, r"\.0*$", "") if has_point else column
    values = pc.if_else(ok, digits, pa.scalar(None, pa.string())).cast(pa.int64())
    return values, _bad(column, ok)


def parse_float(column: pa.Array) -> tuple[pa.Array, NDArray[np.bool_]]:
    """Decimal numbers with a point (``2.55``, ``-1e3``); float64 with nulls and the bad mask."""
    ok = pc.fill_null(pc.match_substring_regex(column, _FLOAT), False)
    values = pc.if_else(ok, column, pa.scalar(None, pa.string())).cast(pa.float64())
    return values, _bad(column, ok)


def parse_bool(column: pa.Array) -> tuple[pa.Array, NDArray[np.bool_]]:
    """``true``/``false`` and the usual spellings (1/0, yes/no, ja/nein); nulls stay null."""
    lower = pc.utf8_lower(column)
    is_true = pc.is_in(lower, value_set=pa.array(_TRUE))
    is_false = pc.is_in(lower, value_set=pa.array(_FALSE))
    values = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
    return values, _bad(column, pc.or_(is_true, is_false))


def _parse_one(text: str, formats: Sequence[str]) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
        for fmt in formats:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if value is not None and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def parse_timestamp(
    column: pa.Array, formats: Sequence[str] = ()
) -> tuple[pa.Array, NDArray[np.bool_]]:
    """ISO 8601 dates and date-times, then ``formats``; time zones are converted to UTC.

    Returns:
        ``timestamp[us]`` values (naive, UTC) with nulls, and the bad mask.
    """
    try:
        values = column.cast(pa.timestamp("us"))
        return values, np.zeros(len(column), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    distinct = pc.unique(column.drop_null())
    parsed = [_parse_one(text, formats) for text in distinct.to_pylist()]
    lookup = pa.array(parsed, type=pa.timestamp("us"))
    index = pc.index_in(column, value_set=distinct)
    values = pc.take(lookup, index)
    return values, mask(pc.and_(pc.is_valid(column), pc.is_null(values)))


class Reasons:
    """The first reason each row is refused for.

    Args:
        n: rows in the batch.
    """

    def __init__(self, n: int) -> None:
        self.bad = np.zeros(n, dtype=bool)
        self.text: dict[int, str] = {}

    def add(
        self,
        failing: NDArray[np.bool_],
        describe: Callable[[NDArray[np.intp]], list[str]] | str,
    ) -> None:
        """Refuse the rows in ``failing`` that have no reason yet.

        Args:
            failing: rows that fail this check.
            describe: the reason, or a function giving one reason per failing row index.
        """
        rows = np.flatnonzero(failing & ~self.bad)
        if rows.size == 0:
            return
        texts = [describe] * rows.size if isinstance(describe, str) else describe(rows)
        for row, text in zip(rows.tolist(), texts, strict=True):
            self.text[row] = text
        self.bad[rows] = True

    def values(self, column: pa.Array, rows: NDArray[np.intp]) -> list[object]:
        """The values of ``column`` at ``rows`` (to quote them in a reason)."""
        return list(column.take(pa.array(rows, type=pa.int64())).to_pylist())
