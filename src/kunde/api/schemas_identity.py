"""Response bodies of the identity routes: identify, unmerge and the customer timeline.

The request of ``POST /v1/identify`` is the domain model :class:`~kunde.identity.IdentifyIn`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from kunde.identity import IdentifierKind, Phase

__all__ = [
    "IdentifiedOut",
    "LinkOut",
    "MergeMadeOut",
    "MergeRefusedOut",
    "MergeUndoneOut",
    "ProfileMergeOut",
    "TimelineItemOut",
    "TimelineOut",
]


class LinkOut(BaseModel):
    """An identifier in its normalised form."""

    kind: IdentifierKind
    value: str


class MergeMadeOut(BaseModel):
    """A merge ``POST /v1/identify`` made: ``absorbed``'s profile is now part of ``survivor``'s."""

    merge_id: int
    """Undo it with ``POST /v1/merges/{merge_id}/undo``."""
    survivor: str
    absorbed: str
    kind: IdentifierKind
    value: str
    """The identifier both profiles shared (normalised)."""


class MergeRefusedOut(BaseModel):
    """A merge that was not made."""

    kind: IdentifierKind
    value: str
    customer_id: str
    """The other customer the identifier is linked to."""
    reason: Literal["shared_identifier", "merge_undone"]
    """``shared_identifier``: the shared-device guard (the identifier is linked to more
    customers than ``KUNDE_IDENTITY_MAX_PROFILES``); ``merge_undone``: a merge of the two
    profiles was undone before."""
    message: str


class IdentifiedOut(BaseModel):
    """What ``POST /v1/identify`` did."""

    customer_id: str
    profile_id: str
    """The profile the customer belongs to now (their own id unless merged into another)."""
    linked: list[LinkOut]
    """Identifiers linked to the customer by this request."""
    already_linked: list[LinkOut]
    merged: list[MergeMadeOut]
    refused: list[MergeRefusedOut]


class MergeUndoneOut(BaseModel):
    """An undone merge."""

    merge_id: int
    survivor: str
    absorbed: str
    undone_at: datetime
    survivor_profile_id: str
    absorbed_profile_id: str
    """The absorbed customer's profile now (their own id unless merged elsewhere too)."""


class ProfileMergeOut(BaseModel):
    """An active merge that is part of a customer's profile."""

    merge_id: int
    survivor: str
    absorbed: str
    kind: IdentifierKind | None = None
    reason: str
    created_at: datetime
    created_by: str


class TimelineItemOut(BaseModel):
    """One thing that happened, at one touchpoint."""

    kind: Literal["event", "order", "return", "consent"]
    id: str
    """Event id, order id or consent entry id."""
    at: datetime
    touchpoint: str | None = None
    """web, app, store, call_centre, email, ...: the event's touchpoint, the order's channel or
    the consent's source."""
    phase: Phase | None = None
    """``before``, ``during`` or ``after`` a purchase (see the route), or none."""
    customer_id: str | None = None
    """The customer id the item was stored with (empty for stitched anonymous items)."""
    stitched: bool
    """An anonymous item attributed through a linked anonymous id, device or order id."""
    details: dict[str, Any]
    """The item's own fields (event type and product, order lines and total, consent purpose)."""


class TimelineOut(BaseModel):
    """A page of a customer's timeline, newest first."""

    customer_id: str
    profile_id: str
    customer_ids: list[str]
    """Every customer id of the profile (merged ones included)."""
    items: list[TimelineItemOut]
    next_cursor: str | None = None
    """Pass as ``cursor`` for the next page; ``None`` on the last page."""
