"""The public names of :mod:`kunde.privacy`."""

from __future__ import annotations

import kunde.privacy


def test_public_names() -> None:
    assert sorted(kunde.privacy.__all__) == [
        "Actor",
        "AuditAction",
        "AuditEntry",
        "CARD_NUMBER_MESSAGE",
        "CARD_SEPARATORS",
        "ConsentChange",
        "ConsentEntry",
        "ConsentState",
        "KEY",
        "PURPOSE_DESCRIPTIONS",
        "PaymentMethod",
        "PaymentMethodIn",
        "Purpose",
        "card_number_locations",
        "consent_mask",
        "current_consents",
        "looks_like_card_number",
        "luhn_valid",
        "refuse_card_numbers",
    ]
    for name in kunde.privacy.__all__:
        assert getattr(kunde.privacy, name) is not None


def test_every_purpose_is_described() -> None:
    assert set(kunde.privacy.PURPOSE_DESCRIPTIONS) == set(kunde.privacy.Purpose)
    assert [p.value for p in kunde.privacy.Purpose] == [
        "personalization",
        "email_marketing",
        "postal_marketing",
        "sms",
        "push",
        "location_offers",
        "analytics",
    ]
