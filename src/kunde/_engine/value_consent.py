"""Who per-customer value scoring leaves out: the customers who objected to ``analytics``.

Value scoring (P(alive), expected value, segments) is profiling on the shop's legitimate
interest (GDPR Art. 6(1)(f)): every customer is valued by default, and a customer whose current
``analytics`` state is withdrawn has objected (Art. 21) and is left out of fitting, scoring,
segment counts and the value export. The state of a merged profile is the person's latest
expressed will: the ``analytics`` entry with the highest ledger id among the profile's ids.

A consent entry of ``analytics`` bumps the value data version in its transaction (as merges,
unmerges and erasures do), so the cached scores are recomputed on the next request.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from kunde.privacy import Purpose, consent_mask, latest_per_profile
from kunde.store import Store

__all__ = [
    "NOT_PROFILED_REASON",
    "PROFILED_STATEMENT",
    "not_profiled",
    "objected_mask",
    "objected_profiles",
    "objects_to_profiling",
    "profiling_statement",
]

NOT_PROFILED_REASON = (
    "This customer objected to analytics (their latest 'analytics' consent entry withdraws it), "
    "so the shop does not compute a value prediction or segment for them; they are left out of "
    "every segment count. A new grant of 'analytics' lets the next request value them again."
)
PROFILED_STATEMENT = (
    "The shop estimates how likely you are to buy again and what you may spend, from your own "
    "purchases (legitimate interest, to plan offers and service). You can object at any time by "
    "withdrawing your 'analytics' consent; then no such estimate is made about you."
)
_OBJECTED_STATEMENT = (
    "You objected to analytics (you withdrew your 'analytics' consent), so the shop does not "
    "estimate your future purchases or put you in a customer segment."
)


def objected_profiles(store: Store) -> frozenset[str]:
    """The profile ids whose latest ``analytics`` entry (across their merged ids) withdraws it:
    one ledger query and one resolution of merges, vectorised."""
    ids, entry_ids, granted = store.consents.latest(Purpose.ANALYTICS)
    if not len(ids):
        return frozenset()
    profiles = store.identity.resolution().resolve(ids)
    profile_ids, profile_granted = latest_per_profile(profiles, entry_ids, granted)
    return frozenset(str(p) for p in profile_ids[~profile_granted])


def objected_mask(store: Store, profile_ids: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Which of ``profile_ids`` (already resolved through merges) objected to analytics."""
    objected = objected_profiles(store)
    if not objected:
        return np.zeros(len(profile_ids), dtype=np.bool_)
    return consent_mask(profile_ids, objected)


def objects_to_profiling(store: Store, customer_id: str) -> bool:
    """Whether the person behind ``customer_id`` (their whole profile) objected to analytics."""
    members = store.identity.resolution_of([customer_id]).members(customer_id)
    _, entry_ids, granted = store.consents.latest(Purpose.ANALYTICS, members)
    return bool(len(entry_ids)) and not bool(granted[int(np.argmax(entry_ids))])


def not_profiled(customer_id: str, horizon_days: int) -> dict[str, Any]:
    """The value answer for a customer who objected: no number, and why."""
    return {
        "customer_id": customer_id,
        "profiled": False,
        "not_profiled_reason": NOT_PROFILED_REASON,
        "frequency": None,
        "recency_days": None,
        "tenure_days": None,
        "monetary": None,
        "p_alive": None,
        "expected_purchases": None,
        "expected_value": None,
        "segment": None,
        "horizon_days": horizon_days,
    }


def profiling_statement(store: Store, customer_id: str) -> dict[str, Any]:
    """What ``/v1/me`` says about value profiling: whether it is done, on what basis, why not."""
    objected = objects_to_profiling(store, customer_id)
    return {
        "profiled": not objected,
        "purpose": Purpose.ANALYTICS.value,
        "legal_basis": "legitimate_interest",
        "statement": _OBJECTED_STATEMENT if objected else PROFILED_STATEMENT,
    }
