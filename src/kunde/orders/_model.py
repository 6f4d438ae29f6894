"""Orders and lines as they come in through the API, and the result of any import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kunde._time import naive_utc

__all__ = ["ImportSummary", "LineIn", "OrderIn", "OrdersResult"]


class LineIn(BaseModel):
    """One line of an order."""

    model_config = ConfigDict(extra="forbid")

    product_id: str | None = Field(default=None, min_length=1, max_length=64)
    """The shop's product id / SKU; absent for an order-level row."""
    quantity: int = Field(default=1, ge=-1_000_000, le=1_000_000)
    """Negative: a return or cancellation."""
    unit_price: float | None = Field(default=None, ge=-1e9, le=1e9, allow_inf_nan=False)
    """Price of one unit in the order's currency."""
    amount: float | None = Field(default=None, ge=-1e12, le=1e12, allow_inf_nan=False)
    """Line total, when unit_price is not given."""
    is_gift: bool = False
    """True when bought for someone else: the line never shapes the buyer's profile."""


class OrderIn(BaseModel):
    """An order posted to ``POST /v1/orders``; posting the same order_id again changes nothing."""

    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(min_length=1, max_length=64)
    customer_id: str | None = Field(default=None, min_length=1, max_length=64)
    """Absent for an anonymous order."""
    ordered_at: datetime
    channel: str | None = Field(default=None, max_length=32)
    store_id: str | None = Field(default=None, max_length=64)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    country: str | None = Field(default=None, max_length=64)
    lines: list[LineIn] = Field(min_length=1, max_length=10_000)

    @field_validator("ordered_at")
    @classmethod
    def _ordered_at_in_utc(cls, value: datetime) -> datetime:
        return naive_utc(value)


@dataclass(frozen=True)
class OrdersResult:
    """What ``add_orders`` did: ids stored now, and ids that were already stored unchanged."""

    created: list[str]
    unchanged: list[str]


@dataclass(frozen=True)
class ImportSummary:
    """Every line read is exactly one of imported, rejected or duplicate."""

    read: int
    imported: int
    rejected: int
    duplicates: int
    reject_file: Path | None

    def as_dict(self) -> dict[str, object]:
        """The ``--json`` form defined in DESIGN.md."""
        return {
            "read": self.read,
            "imported": self.imported,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "reject_file": str(self.reject_file) if self.reject_file else None,
        }
