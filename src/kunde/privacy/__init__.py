"""Privacy: purposes and the consent ledger, payment methods without card numbers, audit.

Pure domain code (no database): what a purpose is, how the current consent state derives from
the append-only ledger, and how card numbers are recognised so that they are never stored.
"""

from __future__ import annotations

from kunde.privacy._audit import Actor, AuditAction, AuditEntry
from kunde.privacy._cards import (
    CARD_SEPARATORS,
    KEY,
    card_number_locations,
    looks_like_card_number,
    luhn_valid,
)
from kunde.privacy._consent import (
    ConsentChange,
    ConsentEntry,
    ConsentState,
    consent_mask,
    current_consents,
)
from kunde.privacy._payments import (
    CARD_NUMBER_MESSAGE,
    PaymentMethod,
    PaymentMethodIn,
    refuse_card_numbers,
)
from kunde.privacy._purposes import PURPOSE_DESCRIPTIONS, Purpose

__all__ = [
    "CARD_NUMBER_MESSAGE",
    "CARD_SEPARATORS",
    "KEY",
    "PURPOSE_DESCRIPTIONS",
    "Actor",
    "AuditAction",
    "AuditEntry",
    "ConsentChange",
    "ConsentEntry",
    "ConsentState",
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
