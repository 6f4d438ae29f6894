"""Identifier kinds and how each kind's values are normalised before they are compared.

Two identifiers are the same when their kind and normalised value are equal: ``Anna@Example.DE ``
and ``anna@example.de`` are one e-mail address, ``0170 123 45 67`` and ``+49 170 1234567`` one
phone number (with the shop's country calling code for national numbers).
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MAX_IDENTIFIERS",
    "MERGING_KINDS",
    "Identifier",
    "IdentifierIn",
    "IdentifierKind",
    "IdentifyIn",
    "normalise_identifier",
]


class IdentifierKind(StrEnum):
    """What an identifier is."""

    CUSTOMER_NUMBER = "customer_number"
    """A customer number of another system (the shop's own number is the customer id)."""
    EMAIL = "email"
    PHONE = "phone"
    ANONYMOUS_ID = "anonymous_id"
    """A web cookie or other anonymous session id: events under it are stitched on login."""
    DEVICE_ID = "device_id"
    """An app installation's device id."""
    LOYALTY_CARD = "loyalty_card"
    ORDER_ID = "order_id"
    """An anonymous order claimed at checkout: stitched to the customer, never merges profiles."""


MERGING_KINDS: frozenset[IdentifierKind] = frozenset(IdentifierKind) - {IdentifierKind.ORDER_ID}
"""Kinds that are evidence of one person: linking one to a second profile merges the two."""

_PHONE_SEPARATORS = re.compile(r"[ ()/.\-]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAX_LENGTH = 128


class IdentifierIn(BaseModel):
    """An identifier as posted: its kind and value (normalised before use)."""

    model_config = ConfigDict(extra="forbid")

    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=254)


class Identifier(BaseModel):
    """A normalised identifier: equal kind and value mean the same identifier."""

    model_config = ConfigDict(frozen=True)

    kind: IdentifierKind
    value: str


def normalise_identifier(kind: IdentifierKind | str, value: str, country_code: str = "49") -> str:
    """The comparable form of ``value``.

    * ``email``: trimmed and lower-cased; must look like ``name@example.de``.
    * ``phone``: ``+`` and digits only (E.164 style): separators ``( ) / . -`` and spaces are
      dropped, a leading ``00`` becomes ``+``, a national number with one leading ``0`` gets
      ``+<country_code>``; 8 to 15 digits.
    * ``loyalty_card``: spaces and dashes dropped, upper-cased.
    * every other kind: trimmed; compared exactly.

    Args:
        kind: the identifier kind.
        value: the value as received.
        country_code: calling code for national phone numbers (Germany: ``49``).

    Raises:
        ValueError: the value is empty, too long or not of its kind's shape (the message
            says what is expected, never repeats the value).
    """
    kind = IdentifierKind(kind)
    text = value.strip()
    if kind is IdentifierKind.EMAIL:
        text = text.lower()
        if not _EMAIL.match(text) or len(text) > 254:
            raise ValueError("must be an e-mail address like name@example.de")
        return text
    if kind is IdentifierKind.PHONE:
        return _normalise_phone(text, country_code)
    if kind is IdentifierKind.LOYALTY_CARD:
        text = re.sub(r"[\s\-]", "", text).upper()
    if not text or len(text) > _MAX_LENGTH or "\x00" in text:
        raise ValueError(f"must be 1 to {_MAX_LENGTH} characters")
    return text


def _normalise_phone(text: str, country_code: str) -> str:
    digits = _PHONE_SEPARATORS.sub("", text)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = country_code + digits[1:]
    if not digits.isdigit() or not digits.isascii() or not 8 <= len(digits) <= 15:
        raise ValueError(
            "must be a phone number of 8 to 15 digits, e.g. +49 30 1234567 or 030 1234567"
        )
    return "+" + digits


MAX_IDENTIFIERS = 50
"""Most identifiers accepted in one identify request."""


class IdentifyIn(BaseModel):
    """Identifiers a shop saw together with a customer (login, checkout, app sign-in, card scan).

    ``{"customer_id": "C-1001", "identifiers": [{"kind": "anonymous_id", "value": "a-9"},
    {"kind": "email", "value": "Anna@Example.de"}]}``; an ``order_id`` identifier claims an
    anonymous order at checkout.
    """

    model_config = ConfigDict(extra="forbid")

    customer_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00]+$")
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=MAX_IDENTIFIERS)
