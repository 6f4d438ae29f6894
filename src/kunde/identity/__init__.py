"""Identifiers, profiles, behavioural events, the identity graph and the customer timeline."""

from __future__ import annotations

from kunde.identity._graph import IdentifyPlan, Merge, Refusal, Resolution, plan_identify
from kunde.identity._identifiers import (
    MAX_IDENTIFIERS,
    MERGING_KINDS,
    Identifier,
    IdentifierIn,
    IdentifierKind,
    IdentifyIn,
    normalise_identifier,
)
from kunde.identity._model import Address, Channel, ChannelPreference, CustomerProfile, EventIn
from kunde.identity._timeline import Phase, PhaseWindows, TimelineCursor, purchase_phases

__all__ = [
    "MAX_IDENTIFIERS",
    "MERGING_KINDS",
    "Address",
    "Channel",
    "ChannelPreference",
    "CustomerProfile",
    "EventIn",
    "Identifier",
    "IdentifierIn",
    "IdentifierKind",
    "IdentifyIn",
    "IdentifyPlan",
    "Merge",
    "Phase",
    "PhaseWindows",
    "Refusal",
    "Resolution",
    "TimelineCursor",
    "normalise_identifier",
    "plan_identify",
    "purchase_phases",
]
