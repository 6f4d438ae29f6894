"""The consent ledger's entries and the current state that derives from them.

Consent is recorded as an append-only ledger: each grant and each withdrawal is one entry with
the policy version the customer saw, where it was given (``source``) and when. Nothing in the
ledger is changed afterwards; the current state of a purpose is its latest entry, and a purpose
without any entry is not consented (opt-in).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from kunde.privacy._purposes import Purpose

__all__ = [
    "ConsentChange",
    "ConsentEntry",
    "ConsentState",
    "consent_mask",
    "current_consents",
    "latest_per_profile",
]


class ConsentChange(BaseModel):
    """One grant or withdrawal of consent to a purpose, as a shop or staff member reports it."""

    model_config = ConfigDict(extra="forbid")

    purpose: Purpose
    """What the consent is for."""
    granted: bool
    """``true``: consent given; ``false``: consent withdrawn or refused."""
    policy_version: str = Field(min_length=1, max_length=32, pattern=r"^[\w.:/+-]+$")
    """Version of the privacy notice the customer saw, e.g. ``2026-05`` or ``v3.1``."""
    source: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
    """Where the customer gave or withdrew it: ``checkout``, ``web``, ``app``, ``store``,
    ``call_centre``, ``privacy_centre``, ``letter``, ..."""


@dataclass(frozen=True)
class ConsentEntry:
    """One entry of the ledger as stored."""

    entry_id: int
    """Increases with every entry: the ledger's order."""
    customer_id: str
    purpose: Purpose
    granted: bool
    policy_version: str
    source: str
    recorded_at: datetime
    recorded_by: str
    """Who recorded it: ``<role>:<key id>`` of the API key (e.g. ``staff:4``)."""


@dataclass(frozen=True)
class ConsentState:
    """The current state of one purpose: its latest entry, or not granted without one."""

    purpose: Purpose
    granted: bool
    policy_version: str | None = None
    source: str | None = None
    recorded_at: datetime | None = None


def current_consents(entries: Iterable[ConsentEntry]) -> list[ConsentState]:
    """The current state of every purpose (in :class:`Purpose` order) from one customer's ledger.

    The latest entry (highest ``entry_id``) of a purpose decides; purposes without entries are
    not granted.
    """
    latest: dict[Purpose, ConsentEntry] = {}
    for entry in entries:
        seen = latest.get(entry.purpose)
        if seen is None or entry.entry_id > seen.entry_id:
            latest[entry.purpose] = entry
    states = []
    for purpose in Purpose:
        last = latest.get(purpose)
        if last is None:
            states.append(ConsentState(purpose=purpose, granted=False))
        else:
            states.append(
                ConsentState(
                    purpose=purpose,
                    granted=last.granted,
                    policy_version=last.policy_version,
                    source=last.source,
                    recorded_at=last.recorded_at,
                )
            )
    return states


def consent_mask(
    customer_ids: Sequence[str] | npt.NDArray[Any], consented: Collection[str]
) -> npt.NDArray[np.bool_]:
    """For a batch job: which of ``customer_ids`` are in ``consented`` (a boolean array).

    Args:
        customer_ids: the customers of the batch, in the batch's order.
        consented: the customers who consented to the purpose, e.g. from
            ``Engine.consented_customers(purpose)``.
    """
    members = consented if isinstance(consented, set | frozenset) else set(consented)
    # A hash lookup per id: 0.2 s for a million ids, where the sort-based np.isin takes 0.9 s
    # on fixed-width strings and is quadratic on object arrays.
    ids = customer_ids.tolist() if isinstance(customer_ids, np.ndarray) else customer_ids
    return np.fromiter((i in members for i in ids), dtype=np.bool_, count=len(ids))


def latest_per_profile(
    profiles: npt.NDArray[Any], entry_ids: npt.NDArray[np.int64], granted: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """The person's latest expressed will per profile (vectorised, no loop per customer).

    Args:
        profiles: the profile id of each customer's latest entry of one purpose.
        entry_ids: that entry's id (the ledger's order).
        granted: whether it grants the purpose.

    Returns:
        ``(profile ids, granted)``: one row per profile, decided by the entry with the highest
        id among the profile's customer ids.
    """
    if not len(profiles):
        return np.zeros(0, dtype=object), np.zeros(0, dtype=np.bool_)
    order = np.lexsort((entry_ids, profiles.astype(str)))
    sorted_profiles = profiles[order].astype(str)
    last = np.ones(len(order), dtype=bool)
    last[:-1] = sorted_profiles[1:] != sorted_profiles[:-1]
    return profiles[order][last], granted[order][last]
