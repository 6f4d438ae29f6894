"""Request envelopes and response bodies of the profile, payment-method, consent and audit routes.

The objects inside requests are the domain models :class:`~kunde.identity.CustomerProfile`,
:class:`~kunde.privacy.PaymentMethodIn` and :class:`~kunde.privacy.ConsentChange`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kunde.privacy import ConsentChange, Purpose

__all__ = [
    "AuditEntryOut",
    "AuditPageOut",
    "ConsentEntryOut",
    "ConsentStateOut",
    "ConsentsBatch",
    "ConsentsOut",
    "ConsentsRecordedOut",
    "PaymentMethodOut",
    "PaymentMethodsOut",
]

MAX_CONSENT_CHANGES = 50
"""Most consent changes accepted in one request."""

_FROM_OBJECTS = ConfigDict(from_attributes=True)


class ConsentsBatch(BaseModel):
    """Several consent changes in one request, appended in the given order."""

    model_config = ConfigDict(extra="forbid")

    consents: list[ConsentChange] = Field(min_length=1, max_length=MAX_CONSENT_CHANGES)


class PaymentMethodOut(BaseModel):
    """A saved payment method: a payment service provider's token, never a card number."""

    model_config = _FROM_OBJECTS

    payment_method_id: str
    """kunde's id of the saved method (for ``DELETE``)."""
    provider: str
    token: str
    label: str | None = None
    last4: str | None = None
    expiry_month: int | None = None
    expiry_year: int | None = None
    created_at: datetime


class PaymentMethodsOut(BaseModel):
    """A customer's saved payment methods, oldest first."""

    customer_id: str
    payment_methods: list[PaymentMethodOut]


class ConsentStateOut(BaseModel):
    """The current state of one purpose (its latest ledger entry; not granted without one)."""

    model_config = _FROM_OBJECTS

    purpose: Purpose
    granted: bool
    policy_version: str | None = None
    source: str | None = None
    recorded_at: datetime | None = None
    """``None``: nothing recorded for this purpose, so it is not granted."""


class ConsentEntryOut(BaseModel):
    """One entry of the append-only consent ledger."""

    model_config = _FROM_OBJECTS

    entry_id: int
    purpose: Purpose
    granted: bool
    policy_version: str
    source: str
    recorded_at: datetime
    recorded_by: str
    """``<role>:<key id>`` of the API key that recorded it."""


class ConsentsOut(BaseModel):
    """A customer's consents: the state of every purpose and the ledger it derives from."""

    customer_id: str
    current: list[ConsentStateOut]
    """One entry per purpose, in a fixed order."""
    history: list[ConsentEntryOut]
    """Every grant and withdrawal, oldest first."""


class ConsentsRecordedOut(BaseModel):
    """The ledger entries a request appended."""

    customer_id: str
    recorded: list[ConsentEntryOut]


class AuditEntryOut(BaseModel):
    """One entry of the audit trail."""

    model_config = _FROM_OBJECTS

    entry_id: int
    at: datetime
    """When (UTC)."""
    actor_key_id: int | None
    """The API key that acted."""
    actor_role: str
    action: str
    """``personal_data.read``, ``profile.create``, ``profile.update``, ``consent.record``,
    ``payment_method.add``, ``payment_method.remove``."""
    customer_id: str | None
    request_id: str | None = None
    """The caller's ``X-Request-ID``."""
    reason: str | None = None
    """The caller's ``X-Audit-Reason``."""
    details: dict[str, Any] = Field(default_factory=dict)
    """What was involved, by name only (route, fields, purposes), never personal values."""


class AuditPageOut(BaseModel):
    """A page of the audit trail, newest first."""

    entries: list[AuditEntryOut]
    next_before: int | None
    """Pass as ``before`` to get the next page; ``None`` on the last page."""
