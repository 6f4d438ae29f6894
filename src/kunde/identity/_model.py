"""Behavioural events and customer profiles as they come in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kunde._time import naive_utc

__all__ = ["Address", "Channel", "ChannelPreference", "CustomerProfile", "EventIn"]


class EventIn(BaseModel):
    """A behavioural event (page view, search, add to cart, login, store visit, call, ...).

    An event that carries ``customer_id`` with ``anonymous_id`` or ``device_id`` links them to
    the customer (e.g. a login after browsing); anonymous events under a linked id or device
    then appear in the customer's timeline. An app event may carry only a ``device_id``.
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

    @field_validator("occurred_at")
    @classmethod
    def _occurred_at_in_utc(cls, value: datetime) -> datetime:
        return naive_utc(value)

    @model_validator(mode="after")
    def _someone(self) -> EventIn:
        if self.customer_id is None and self.anonymous_id is None and not self.device_id:
            raise ValueError("an event needs a customer_id, an anonymous_id or a device_id")
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


class Channel(StrEnum):
    """A way to reach a customer."""

    EMAIL = "email"
    POSTAL_LETTER = "postal_letter"
    SMS = "sms"
    PUSH = "push"
    CHAT = "chat"
    PHONE = "phone"
    STORE_VISIT = "store_visit"


class ChannelPreference(BaseModel):
    """How a customer wants to be contacted on one channel.

    Marketing on a channel needs the matching consent as well (see :mod:`kunde.privacy`);
    this is the customer's wish about service and marketing contact on top of it.
    """

    model_config = ConfigDict(extra="forbid")

    allowed: bool = True
    """Whether the customer may be contacted on this channel at all."""
    preferred: bool = False
    """Whether this is a channel the customer prefers (several may be)."""
    max_per_month: int | None = Field(default=None, ge=0, le=100)
    """Most contacts per month on this channel; ``None``: no limit of the customer's own."""

    @model_validator(mode="after")
    def _preferred_is_allowed(self) -> ChannelPreference:
        if self.preferred and not self.allowed:
            raise ValueError("a channel that is not allowed cannot be preferred")
        return self


class CustomerProfile(BaseModel):
    """What kunde keeps about a customer beyond their orders.

    Salutation preferences are ``salutation`` (e.g. ``Frau``, ``Herr``, ``Ms``), ``title``
    (e.g. ``Dr.``), ``language`` and ``formality``; ``channels`` holds the communication
    preferences per channel (channels left out have no preference recorded).
    """

    model_config = ConfigDict(extra="forbid")

    customer_id: str = Field(min_length=1, max_length=64)
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    salutation: str | None = Field(default=None, max_length=32)
    title: str | None = Field(default=None, max_length=32)
    language: Literal["de", "en"] | None = None
    """Language of address: German or English."""
    formality: Literal["formal", "informal"] | None = None
    """``formal`` (Sie / Dear Ms Smith) or ``informal`` (du / Hi Jane)."""
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ()/.-]*$")
    country: str | None = Field(default=None, max_length=64)
    addresses: list[Address] = Field(default_factory=list, max_length=20)
    """Delivery and billing addresses, as many as the customer keeps (up to 20)."""
    channels: dict[Channel, ChannelPreference] = Field(default_factory=dict)
    """Communication preferences per channel."""

    @field_validator("email")
    @classmethod
    def _email_shape(cls, email: str | None) -> str | None:
        if email is not None:
            local, at, domain = email.rpartition("@")
            if not at or not local or "." not in domain or any(c.isspace() for c in email):
                raise ValueError("must be an e-mail address like name@example.de")
        return email
