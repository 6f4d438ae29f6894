"""Response schemas of customer tokens, ``/v1/me``, export and erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from kunde.api.schemas import CustomerOut
from kunde.api.schemas_privacy import ConsentEntryOut, ConsentStateOut, PaymentMethodOut

__all__ = [
    "CustomerTokenOut",
    "DataCategoryOut",
    "ErasureOut",
    "InterestOut",
    "InterestsOut",
    "MeConsentsOut",
    "MeOut",
    "PurposeOut",
    "ValueProfilingOut",
]


class CustomerTokenOut(BaseModel):
    """A customer token: send it as ``Authorization: Bearer <token>`` to ``/v1/me``."""

    token: str
    token_type: Literal["Bearer"] = "Bearer"
    customer_id: str
    expires_at: datetime
    """When the token stops working (UTC)."""


class DataCategoryOut(BaseModel):
    """One kind of personal data kunde keeps, in the customer's words."""

    category: str
    what: str
    purpose: str
    benefit: str
    """What it brings the customer."""
    retention: str
    """How long it is kept."""


class PurposeOut(BaseModel):
    """A purpose the customer can consent to."""

    purpose: str
    description: str


class InterestOut(BaseModel):
    """Interest in one category (the interests sum to one)."""

    category: str
    interest: float


class InterestsOut(BaseModel):
    """Interests inferred from the customer's own purchases (never gifts)."""

    used_for_personalization: bool
    """Whether they are used: only with the customer's consent to ``personalization``."""
    categories: list[InterestOut]


class ValueProfilingOut(BaseModel):
    """Whether the shop estimates the customer's future purchases, on what basis, and why not."""

    profiled: bool
    purpose: str
    """The consent purpose that governs it (``analytics``)."""
    legal_basis: str
    """``legitimate_interest``: done by default, stopped by withdrawing ``analytics``."""
    statement: str


class MeConsentsOut(BaseModel):
    """The current state of each purpose and the ledger it derives from."""

    current: list[ConsentStateOut]
    history: list[ConsentEntryOut]


class MeOut(BaseModel):
    """Everything the customer may see about themselves."""

    customer_id: str
    profile: CustomerOut
    data_inventory: list[DataCategoryOut]
    """What is stored, for which purpose, with what benefit, for how long."""
    purposes: list[PurposeOut]
    consents: MeConsentsOut
    interests: InterestsOut
    value_profiling: ValueProfilingOut
    payment_methods: list[PaymentMethodOut]


class ErasureOut(BaseModel):
    """What an erasure removed; the customer id appears nowhere any more."""

    pseudonym: str
    """Random name of the order lines kept for bookkeeping."""
    rows: dict[str, int] = Field(description="Rows deleted or pseudonymised per table.")
    files_rewritten: list[str]
    """Files under the data directory rewritten without the customer."""
    files_removed: list[str]
    """Files that mentioned the customer and could not be rewritten (rebuilt at next train)."""
    expired_lines_purged: int
    """Kept order lines of earlier erasures whose retention had ended, deleted now."""
    wal_emptied: bool
    """SQLite: the write-ahead log was checkpointed and truncated (false: another connection's
    open read kept it busy; it is emptied in the background as soon as that read ends)."""
