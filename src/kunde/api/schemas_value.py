"""Response bodies of the customer-value routes."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["CustomerValueOut", "SegmentOut", "SegmentsOut"]


class CustomerValueOut(BaseModel):
    """One customer's purchase history summary and predicted value.

    A customer who objected to ``analytics`` is not valued: ``profiled`` is false, every number
    and the segment are ``null`` and ``not_profiled_reason`` says why.
    """

    customer_id: str
    profiled: bool = True
    """Whether the shop values this customer (false after an objection to ``analytics``)."""
    not_profiled_reason: str | None = None
    frequency: int | None
    recency_days: int | None
    tenure_days: int | None
    monetary: float | None
    p_alive: float | None
    expected_purchases: float | None
    expected_value: float | None
    segment: str | None
    horizon_days: int


class SegmentOut(BaseModel):
    """Customers and summed predicted value of one segment."""

    segment: str
    customers: int
    expected_value: float


class SegmentsOut(BaseModel):
    """Every segment (the high-value segment overlaps the others)."""

    horizon_days: int
    customers: int
    segments: list[SegmentOut]
