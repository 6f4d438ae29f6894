"""Products as they come in through the API or a products file."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ProductIn"]


class ProductIn(BaseModel):
    """A product; posting it again updates the stored fields."""

    model_config = ConfigDict(extra="forbid")

    product_id: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=500)
    category: str | None = Field(default=None, max_length=500)
    """Category path, levels separated by ``' > '`` (e.g. ``Garden > Tools``)."""
    brand: str | None = Field(default=None, max_length=200)
    price: float | None = Field(default=None, ge=0, le=1e9, allow_inf_nan=False)
    released_at: date | None = None
    description: str | None = Field(default=None, max_length=20_000)
