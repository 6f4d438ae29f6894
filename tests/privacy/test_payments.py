"""The payment method input model and the card number refusal."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kunde.errors import InvalidFieldError
from kunde.privacy import CARD_NUMBER_MESSAGE, PaymentMethodIn, refuse_card_numbers


def test_a_provider_token_with_card_details_is_accepted() -> None:
    method = PaymentMethodIn(
        provider="stripe",
        token="pm_1NvXkL2eZvKYlo2C0n8jBq3x",
        label="Visa ending 4242",
        last4="4242",
        expiry_month=8,
        expiry_year=2029,
    )
    refuse_card_numbers(method.model_dump())


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"expiry_month": 8}, ()),
        ({"last4": "42424"}, ("last4",)),
        ({"expiry_month": 13, "expiry_year": 2030}, ("expiry_month",)),
        ({"token": "has space"}, ("token",)),
        ({"provider": "Stripe Inc"}, ("provider",)),
        ({"cvc": "123"}, ("cvc",)),
    ],
    ids=["half-expiry", "last4", "month", "token-space", "provider", "extra-field"],
)
def test_invalid_fields_are_named(fields: dict[str, object], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as info:
        PaymentMethodIn.model_validate({"provider": "adyen", "token": "ref_abc", **fields})
    assert [e["loc"] for e in info.value.errors()] == [loc]


def test_refusal_names_the_field_and_not_the_value() -> None:
    with pytest.raises(InvalidFieldError) as info:
        refuse_card_numbers({"provider": "stripe", "meta": {"note": "4111 1111 1111 1111"}})
    assert info.value.field == "meta.note"
    assert info.value.detail == CARD_NUMBER_MESSAGE
    assert "4111" not in str(info.value)
