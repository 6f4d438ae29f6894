"""Named customer segments from RFM scores, and the high-value segment."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kunde.errors import InvalidFieldError
from kunde.value._fitting import ArrayLike, FloatArray
from kunde.value._rfm import RFMScores

__all__ = [
    "HIGH_VALUE",
    "SEGMENTS",
    "SegmentTotals",
    "assign_segments",
    "high_value",
    "segment_codes",
    "segment_totals",
]

SEGMENTS: tuple[str, ...] = (
    "champions",
    "loyal",
    "promising",
    "new",
    "at_risk",
    "hibernating",
    "lost",
)
"""Segment names, best first. Every customer is in exactly one."""

HIGH_VALUE = "high_value"
"""Name of the high-value segment (top decile by predicted value); overlaps the others."""


def assign_segments(scores: RFMScores, frequency: ArrayLike) -> npt.NDArray[np.str_]:
    """Name each customer's segment from the RFM scores.

    Rules, first match wins (FM is the mean of the frequency and monetary scores):

    - ``new``: one purchase day only, recency score 4-5;
    - ``champions``: recency 4-5 and FM >= 4;
    - ``loyal``: recency 3-5 and FM >= 3;
    - ``promising``: recency 3-5 (FM < 3);
    - ``at_risk``: recency 1-2 and FM >= 3 (were good, have gone quiet);
    - ``hibernating``: recency 2 (FM < 3);
    - ``lost``: recency 1 (FM < 3).

    Args:
        scores: RFM scores.
        frequency: repeat purchase days per customer (0 = bought once).
    """
    out: npt.NDArray[np.str_] = np.array(SEGMENTS)[segment_codes(scores, frequency)]
    return out


def segment_codes(scores: RFMScores, frequency: ArrayLike) -> npt.NDArray[np.int8]:
    """Each customer's segment as its index into :data:`SEGMENTS` (the rules of
    :func:`assign_segments`; cheaper to store or turn into other string arrays)."""
    x = np.asarray(frequency, dtype=np.float64).reshape(-1)
    if x.shape != scores.recency.shape:
        raise InvalidFieldError("frequency", "needs one value per scored customer")
    r = scores.recency
    fm = (scores.frequency.astype(np.float64) + scores.monetary) / 2.0
    conditions = [
        (x == 0) & (r >= 4),
        (r >= 4) & (fm >= 4),
        (r >= 3) & (fm >= 3),
        r >= 3,
        fm >= 3,
        r == 2,
    ]
    out: npt.NDArray[np.int8] = np.select(conditions, [3, 0, 1, 2, 4, 5], default=6).astype(np.int8)
    return out


def high_value(expected_value: ArrayLike, share: float = 0.1) -> npt.NDArray[np.bool_]:
    """Flag the top ``share`` of customers by predicted value (ties broken by position).

    Exactly ``ceil(share * n)`` customers are flagged; none with zero or negative value.
    """
    v = np.asarray(expected_value, dtype=np.float64).reshape(-1)
    if not 0 < share <= 1:
        raise InvalidFieldError("share", "must be in (0, 1]")
    k = int(np.ceil(share * v.size))
    flags = np.zeros(v.size, dtype=bool)
    if k:
        top = np.argsort(-v, kind="stable")[:k]
        flags[top] = True
    flags &= v > 0
    return flags


@dataclass(frozen=True)
class SegmentTotals:
    """Customers and summed predicted value per segment.

    Attributes:
        customers: segment name -> number of customers (every name in SEGMENTS and HIGH_VALUE).
        value: segment name -> summed predicted value.
    """

    customers: dict[str, int]
    value: dict[str, float]


def segment_totals(
    segments: npt.NDArray[np.str_],
    expected_value: ArrayLike,
    high_value_flags: npt.NDArray[np.bool_],
) -> SegmentTotals:
    """Count customers and sum predicted value per segment, plus the high-value segment."""
    v: FloatArray = np.asarray(expected_value, dtype=np.float64).reshape(-1)
    names = np.array(SEGMENTS)
    if segments.shape != v.shape or not np.all(np.isin(segments, names)):
        raise InvalidFieldError("segments", "needs one known segment name per customer")
    codes = np.searchsorted(np.sort(names), segments)
    order = np.argsort(names)
    counts = np.bincount(codes, minlength=names.size)[np.argsort(order)]
    sums = np.bincount(codes, weights=v, minlength=names.size)[np.argsort(order)]
    customers = {str(n): int(c) for n, c in zip(names, counts, strict=True)}
    value = {str(n): float(s) for n, s in zip(names, sums, strict=True)}
    customers[HIGH_VALUE] = int(np.count_nonzero(high_value_flags))
    value[HIGH_VALUE] = float(v[high_value_flags].sum())
    return SegmentTotals(customers=customers, value=value)
