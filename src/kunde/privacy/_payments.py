"""Saved payment methods: payment service provider tokens, never card numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kunde.errors import InvalidFieldError
from kunde.privacy._cards import card_number_locations

__all__ = ["CARD_NUMBER_MESSAGE", "PaymentMethod", "PaymentMethodIn", "refuse_card_numbers"]

CARD_NUMBER_MESSAGE = (
    "looks like a payment card number; kunde stores only the payment service provider's token "
    "(e.g. 'pm_...' or 'tok_...'), never card numbers - send the token your provider returned"
)
"""What a refused field is told (the value itself is never repeated)."""


class PaymentMethodIn(BaseModel):
    """A payment method to save: the token a payment service provider issued for it.

    Card numbers are refused in every field (see :func:`refuse_card_numbers`).
    """

    model_config = ConfigDict(extra="forbid")

    provider: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    """The payment service provider, e.g. ``stripe``, ``adyen``, ``paypal``, ``mollie``."""
    token: str = Field(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$")
    """The provider's token or stored-payment-method id (printable ASCII, no spaces)."""
    label: str | None = Field(default=None, max_length=64)
    """What the customer sees, e.g. ``Visa ending 4242`` or ``PayPal``."""
    last4: str | None = Field(default=None, pattern=r"^[0-9]{4}$")
    """The card's last four digits, if the provider reports them."""
    expiry_month: int | None = Field(default=None, ge=1, le=12)
    expiry_year: int | None = Field(default=None, ge=2000, le=2100)

    @model_validator(mode="after")
    def _expiry_complete(self) -> PaymentMethodIn:
        if (self.expiry_month is None) != (self.expiry_year is None):
            raise ValueError("give both expiry_month and expiry_year, or neither")
        return self


@dataclass(frozen=True)
class PaymentMethod:
    """A saved payment method as stored."""

    payment_method_id: str
    customer_id: str
    provider: str
    token: str
    label: str | None
    last4: str | None
    expiry_month: int | None
    expiry_year: int | None
    created_at: datetime


def refuse_card_numbers(data: Any) -> None:
    """Refuse ``data`` (parsed JSON or a model dump) if any key or value looks like a card number.

    Raises:
        InvalidFieldError: naming the first such field (dotted, e.g. ``token``); the message
            does not contain the value.
    """
    locations = card_number_locations(data)
    if locations:
        field = ".".join(str(part) for part in locations[0]) or "body"
        raise InvalidFieldError(field, CARD_NUMBER_MESSAGE)
