"""Behavioural events and customer profiles as they come in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Address", "CustomerProfile", "EventIn"]


class EventIn(BaseModel):
    """A behavioural event (page view, search, add to cart, login, store visit, call, ...).

    An event that carries both ``customer_id`` and ``anonymous_id`` links the anonymous id to
    the customer (e.g. a login after browsing).
    """

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=128)
    """Client-supplied id; posting the same id again changes nothing."""
    occurred_at: datetime
    type: str = Field(min_length=1, max_length=32)
    customer_id: str | None = Field(default=None, min_length=1, max_length=64)
    anonymous_id: str | None = Field(default=None, min_length=1, max_length=128)
    touchpoint: str | None = Field(default=None, max_length=32)
    """web, app, store, call_centre, email, ..."""
    device_id: str | None = Field(default=None, max_length=128)
    product_id: str | None = Field(default=None, max_length=64)
    properties: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _someone(self) -> EventIn:
        if self.customer_id is None and self.anonymous_id is None:
            raise ValueError("an event needs a customer_id or an anonymous_id")
        return self


class Address(BaseModel):
    """A postal address."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["delivery", "billing"] = "delivery"
    name: str | None = Field(default=None, max_length=200)
    street: str = Field(max_length=200)
    postal_code: str = Field(max_length=16)
    city: str = Field(max_length=100)
    country: str = Field(max_length=64)


class CustomerProfile(BaseModel):
    """What kunde keeps about a customer beyond their orders."""

    model_config = ConfigDict(extra="forbid")

    customer_id: str = Field(min_length=1, max_length=64)
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    salutation: str | None = Field(default=None, max_length=32)
    title: str | None = Field(default=None, max_length=32)
    language: str | None = Field(default=None, max_length=8)
    formality: Literal["formal", "informal"] | None = None
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    country: str | None = Field(default=None, max_length=64)
    addresses: list[Address] = Field(default_factory=list, max_length=20)
