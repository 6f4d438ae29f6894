"""Normalising identifiers: equal kind and normalised value mean one identifier."""

from __future__ import annotations

import pytest

from kunde.identity import IdentifierKind, normalise_identifier

K = IdentifierKind


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [
        (K.EMAIL, "  Anna.Mueller@Example.DE ", "anna.mueller@example.de"),
        (K.PHONE, "+49 30 1234567", "+49301234567"),
        (K.PHONE, "030 / 123 45-67", "+49301234567"),
        (K.PHONE, "0049 (30) 1234567", "+49301234567"),
        (K.PHONE, "+44 20 7946 0958", "+442079460958"),
        (K.LOYALTY_CARD, " 1234-5678 abc ", "12345678ABC"),
        (K.ANONYMOUS_ID, " a-Cookie-1 ", "a-Cookie-1"),
        (K.DEVICE_ID, "IDFA-XYZ", "IDFA-XYZ"),
        (K.CUSTOMER_NUMBER, "K 100", "K 100"),
    ],
    ids=[
        "email",
        "phone-intl",
        "phone-national",
        "phone-00",
        "phone-uk",
        "card",
        "cookie",
        "device",
        "number",
    ],
)
def test_normalises(kind: IdentifierKind, given: str, expected: str) -> None:
    assert normalise_identifier(kind, given) == expected


def test_national_numbers_take_the_country_code() -> None:
    assert normalise_identifier(K.PHONE, "020 7946 0958", country_code="44") == "+442079460958"


@pytest.mark.parametrize(
    ("kind", "given"),
    [
        (K.EMAIL, "no-at-sign.example.de"),
        (K.EMAIL, "a b@example.de"),
        (K.EMAIL, "anna@localhost"),
        (K.PHONE, "+49 77"),
        (K.PHONE, "+49 30 CALL ME"),
        (K.PHONE, "+١٢٣٤٥٦٧٨٩"),
        (K.ANONYMOUS_ID, "   "),
        (K.DEVICE_ID, "x" * 129),
        (K.LOYALTY_CARD, " - "),
    ],
    ids=[
        "email-no-at",
        "email-space",
        "email-no-dot",
        "phone-short",
        "phone-letters",
        "phone-non-ascii-digits",
        "blank",
        "too-long",
        "card-empty",
    ],
)
def test_refuses_values_not_of_their_kind(kind: IdentifierKind, given: str) -> None:
    with pytest.raises(ValueError, match="must be") as caught:
        normalise_identifier(kind, given)
    assert given.strip() not in str(caught.value) or not given.strip()
