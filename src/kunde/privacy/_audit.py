"""The audit trail: who did what to whose personal data, when and why.

Entries are appended and never changed. They name what was done and to which customer, and in
``details`` which fields, purposes or resources were involved, by name only: never the personal
values themselves, so that the trail holds no more personal data than a customer id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = ["CUSTOMER_ROLE", "Actor", "AuditAction", "AuditEntry"]

CUSTOMER_ROLE = "customer"
"""The actor role of a customer acting on their own data with a customer token."""


class AuditAction(StrEnum):
    """What an audited action did (issue 5 adds merge, export and erasure here later)."""

    READ = "personal_data.read"
    """A customer's personal data was read (details: the route)."""
    PROFILE_CREATE = "profile.create"
    """A profile was created through the API (details: the fields set)."""
    PROFILE_UPDATE = "profile.update"
    """A profile was replaced (details: the fields that changed)."""
    CONSENT_RECORD = "consent.record"
    """Consent entries were appended (details: purposes and granted flags)."""
    PAYMENT_METHOD_ADD = "payment_method.add"
    """A payment method was saved (details: its id and provider)."""
    PAYMENT_METHOD_REMOVE = "payment_method.remove"
    """A payment method was removed (details: its id)."""
    INTEREST_REMOVE = "interest.remove"
    """An inferred interest was removed from the personal feed (details: the category)."""
    PERSONALIZATION_RESET = "personalization.reset"
    """Every inferred interest was reset."""
    IDENTITY_LINK = "identity.link"
    """Identifiers were linked to a customer (details: kinds, merge ids, refusals; no values)."""
    IDENTITY_MERGE = "identity.merge"
    """Two profiles were merged; one entry per side (details: merge id, side, identifier kind)."""
    IDENTITY_UNMERGE = "identity.unmerge"
    """A merge was undone; one entry per side (details: merge id, side)."""
    TOKEN_ISSUE = "customer_token.issue"
    """A customer token was issued (details: its expiry)."""
    TOKEN_REVOKE = "customer_token.revoke"
    """Customer tokens were revoked (details: ``scope`` all or session)."""
    EXPORT = "personal_data.export"
    """All of a customer's personal data was exported."""
    ERASE = "customer.erase"
    """A customer was erased (no customer id; details: the pseudonym and the rows per table)."""


@dataclass(frozen=True)
class Actor:
    """Who acts: the API key (id and role) and what they said about the request."""

    key_id: int | None
    """The API key's id; ``None`` for actions outside the API (command line)."""
    role: str
    request_id: str | None = None
    """The caller's request id (``X-Request-ID``), to find the request in their logs."""
    reason: str | None = None
    """Why, in the caller's words (``X-Audit-Reason``), e.g. a support ticket number."""

    @property
    def label(self) -> str:
        """``<role>:<key id>`` (``<role>:cli`` without a key, ``customer:self`` for a customer
        acting with their token): how ledgers name the actor."""
        if self.role == CUSTOMER_ROLE:
            return f"{CUSTOMER_ROLE}:self"
        return f"{self.role}:{self.key_id if self.key_id is not None else 'cli'}"


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit trail."""

    at: datetime
    actor_key_id: int | None
    actor_role: str
    action: str
    customer_id: str | None
    request_id: str | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    entry_id: int | None = None
    """Assigned when stored; increases with every entry."""
