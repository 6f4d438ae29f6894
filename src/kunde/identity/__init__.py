"""Identifiers, profiles, behavioural events and the customer timeline."""

from __future__ import annotations

from kunde.identity._model import Address, Channel, ChannelPreference, CustomerProfile, EventIn

__all__ = ["Address", "Channel", "ChannelPreference", "CustomerProfile", "EventIn"]
