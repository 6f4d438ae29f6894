"""Request and response bodies of the recommendation routes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "EditorialIn",
    "EditorialOut",
    "InterestOut",
    "PersonalizationOut",
    "ProductListOut",
    "RecommendationsOut",
    "RecommendedProduct",
]


class RecommendedProduct(BaseModel):
    """One recommended product and why it is there."""

    product_id: str
    name: str
    category: str | None
    """The product's feed category (the first levels of its category path)."""
    score: float
    """1 for the first item, falling by rank (lists) or by evidence (product lists)."""
    reason: str
    """What the customer may read: "because you bought …", "new in Garden", "our pick",
    "popular this week", …"""
    reason_code: str
    """bought_with, new_in_category, editorial, popular, explore, also_bought or complements."""
    because_of: str | None
    """The product behind a "bought with" reason (from the history or the page)."""


class ProductListOut(BaseModel):
    """ "Also bought" or complements of one product; never personal."""

    product_id: str
    personal: bool
    model_version: str
    items: list[RecommendedProduct]


class RecommendationsOut(BaseModel):
    """A customer's page."""

    customer_id: str
    profile_id: str
    """The profile served: the customer id itself, or the survivor it was merged into."""
    context: str
    personal: bool
    """Whether anything on the page came from the customer's own history."""
    basis: str
    """history, no_history (new customer or everything reset) or no_consent."""
    model_version: str
    items: list[RecommendedProduct]


class BoughtProduct(BaseModel):
    """A purchase behind an interest."""

    product_id: str
    name: str


class InterestOut(BaseModel):
    """One inferred interest."""

    category: str
    weight: float
    """Share of the customer's (fading) purchases in this category; all weights sum to 1."""
    because_you_bought: list[BoughtProduct]


class PersonalizationOut(BaseModel):
    """What kunde infers about a customer, and what they changed."""

    customer_id: str
    profile_id: str
    """The profile served: the customer id itself, or the survivor it was merged into."""
    personal: bool
    """Whether the customer consents to personalization (no consent: no interests)."""
    basis: str
    interests: list[InterestOut]
    removed: list[str]
    reset_at: str | None
    half_life_days: float


class EditorialIn(BaseModel):
    """The shop's editorial picks, in order."""

    model_config = ConfigDict(extra="forbid")

    product_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        max_length=100
    )
    """Up to 100 product ids; an empty list removes every pick."""
    share: float | None = Field(default=None, ge=0.0, le=1.0)
    """Share of a feed's slots for the picks; default KUNDE_RECOMMEND_EDITORIAL_SHARE."""


class EditorialOut(BaseModel):
    """The stored editorial picks."""

    product_ids: list[str]
    share: float
    updated_at: str | None
