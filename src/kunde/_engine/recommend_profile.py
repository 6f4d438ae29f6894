"""One customer's recommendation state at a request: their profile as the model sees it.

The store's serving state (consent, resets, removed interests, own lines, pooled over a merged
profile) is mapped onto the model's product and category indices; the interests and the live
ranking are computed from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde._engine.recommend_model import RecommendModel
from kunde.errors import NotFoundError
from kunde.recommend import category_interests, decay_weights
from kunde.store import Store
from kunde.store.recommend import EditorialPicks, ServingState

__all__ = [
    "PROFILE_HALF_LIFE_DAYS",
    "Profile",
    "as_of_day",
    "live_ranking",
    "profile_interests",
    "profile_of",
    "read_profile",
]

PROFILE_HALF_LIFE_DAYS = 30.0
"""Decay of the customer's own purchases when their ranking is scored at serving time."""


@dataclass(frozen=True)
class Profile:
    """One customer's state at this request."""

    profile_id: str
    """The profile the customer id resolves to (itself unless merged)."""
    consent: bool
    country: str
    reset_at: datetime | None
    removed: list[tuple[str, datetime]]
    removed_index: NDArray[np.int64]
    item: NDArray[np.int64]
    """Model index per own bought line (-1: unknown to the model)."""
    day: NDArray[np.int64]
    own: NDArray[np.bool_]
    """Per line: shapes the profile (own, not a gift, after the reset, category kept)."""
    bought: NDArray[np.int64]
    """Every product the customer bought for themselves (for the durable rule)."""
    changed_since_training: bool
    editorial: EditorialPicks


def read_profile(store: Store, model: RecommendModel, customer_id: str) -> Profile:
    """The customer's state read from the store, as the model sees it.

    Raises:
        NotFoundError: unknown customer.
    """
    state = store.recommend.serving_state(customer_id)
    if state is None:
        raise NotFoundError(f"Customer {customer_id!r} not found.")
    return profile_of(model, state)


def profile_of(model: RecommendModel, state: ServingState) -> Profile:
    """The store's serving state mapped onto the model's product and category indices."""
    members = state.members
    lines, reset_at, removed = state.lines, state.reset_at, state.removed
    item = model.products(lines.product_id.tolist())
    removed_index = model.category_index([c for c, _ in removed])
    own = (item >= 0) & ~lines.is_gift
    if reset_at is not None and lines.at is not None:
        own &= lines.at >= np.datetime64(reset_at, "us")
    cat = model.item_category[np.maximum(item, 0)]
    if len(removed_index):
        own &= ~np.isin(cat, removed_index[removed_index >= 0])
    trained = datetime.fromisoformat(model.trained_at)
    changed = (
        (reset_at is not None and reset_at > trained)
        or any(at > trained for _, at in removed)
        or sorted(members) != model.members(members[0])  # merged or unmerged since training
    )
    valid = (item >= 0) & ~lines.is_gift
    return Profile(
        profile_id=members[0],
        consent=state.consent,
        country=state.country,
        reset_at=reset_at,
        removed=removed,
        removed_index=removed_index,
        item=item,
        day=lines.day,
        own=own,
        bought=np.unique(item[valid]),
        changed_since_training=changed,
        editorial=state.editorial,
    )


def as_of_day(model: RecommendModel, profile: Profile) -> int:
    return max(model.as_of_day, int(profile.day.max(initial=model.as_of_day)))


def profile_interests(
    model: RecommendModel, profile: Profile, half_life: float
) -> NDArray[np.float64]:
    n_categories = len(model.category_names)
    if not profile.consent:
        return np.zeros(n_categories)
    own = profile.own
    return category_interests(
        profile.item[own],
        profile.day[own],
        np.zeros(int(own.sum()), dtype=bool),
        item_category=model.item_category,
        n_categories=n_categories,
        as_of_day=as_of_day(model, profile),
        half_life_days=half_life,
        removed=profile.removed_index[profile.removed_index >= 0].tolist(),
    )


def live_ranking(model: RecommendModel, profile: Profile, n: int) -> NDArray[np.int64]:
    """The customer's current profile scored against the product neighbours."""
    own = profile.own
    if not own.any():
        return np.zeros(0, dtype=np.int64)
    w = decay_weights(profile.day[own], as_of_day(model, profile), PROFILE_HALF_LIFE_DAYS)
    p = np.bincount(profile.item[own], weights=w, minlength=len(model.product_ids))
    profile_row = sp.csr_matrix((p / max(p.sum(), 1e-12)).astype(np.float32))
    scores = np.asarray((profile_row @ model.similarity).toarray()).ravel()
    ranked = np.argsort(-scores, kind="stable")[:n]
    return ranked[scores[ranked] > 0].astype(np.int64)
