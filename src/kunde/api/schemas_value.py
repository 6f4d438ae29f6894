"""Response bodies of the customer-value routes."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["CustomerValueOut", "SegmentOut", "SegmentsOut"]


class CustomerValueOut(BaseModel):
    """One customer's purchase history summary and predicted value."""

    customer_id: str
    frequency: int
    recency_days: int
    tenure_days: int
    monetary: float
    p_alive: float | None
    expected_purchases: float
    expected_value: float
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
