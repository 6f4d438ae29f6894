"""Privacy: purposes and the consent ledger, payment methods without card numbers, audit,
customer tokens, the data inventory and the erasure rules.

Pure domain code (no database): what a purpose is, how the current consent state derives from
the append-only ledger, and how card numbers are recognised so that they are never stored.
"""

from __future__ import annotations

from kunde.privacy._artefacts import ScrubReport, mentions, scrub_directory, scrub_file
from kunde.privacy._audit import CUSTOMER_ROLE, Actor, AuditAction, AuditEntry
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
    latest_per_profile,
)
from kunde.privacy._erasure import (
    PSEUDONYM_PREFIX,
    erased_mask,
    new_pseudonym,
    redact,
    retained_until,
    retention_cutoff,
    subject_digest,
)
from kunde.privacy._inventory import DATA_INVENTORY, DataCategory, data_inventory
from kunde.privacy._payments import (
    CARD_NUMBER_MESSAGE,
    PaymentMethod,
    PaymentMethodIn,
    refuse_card_numbers,
)
from kunde.privacy._purposes import PURPOSE_DESCRIPTIONS, Purpose
from kunde.privacy._tokens import (
    TOKEN_PREFIX,
    CustomerToken,
    issue_customer_token,
    verify_customer_token,
)

__all__ = [
    "CARD_NUMBER_MESSAGE",
    "CARD_SEPARATORS",
    "CUSTOMER_ROLE",
    "DATA_INVENTORY",
    "KEY",
    "PSEUDONYM_PREFIX",
    "PURPOSE_DESCRIPTIONS",
    "TOKEN_PREFIX",
    "Actor",
    "AuditAction",
    "AuditEntry",
    "ConsentChange",
    "ConsentEntry",
    "ConsentState",
    "CustomerToken",
    "DataCategory",
    "PaymentMethod",
    "PaymentMethodIn",
    "Purpose",
    "ScrubReport",
    "card_number_locations",
    "consent_mask",
    "current_consents",
    "data_inventory",
    "erased_mask",
    "issue_customer_token",
    "latest_per_profile",
    "looks_like_card_number",
    "luhn_valid",
    "mentions",
    "new_pseudonym",
    "redact",
    "refuse_card_numbers",
    "retained_until",
    "retention_cutoff",
    "scrub_directory",
    "scrub_file",
    "subject_digest",
    "verify_customer_token",
]
