"""The re-ranker's view of a (customer, candidate product) pair: its features.

:func:`context` gathers the per-product and per-customer facts once per fitted base model;
:func:`candidate_features` takes a block of customers' best blended candidates and describes
each pair by the features in :data:`FEATURE_NAMES`.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde.recommend._ease_feature import RecentEASE
from kunde.recommend._interactions import Interactions
from kunde.recommend._personal import PersonalRanker
from kunde.recommend._popularity import Popularity
from kunde.recommend._topk import top_k_dense

__all__ = [
    "FEATURE_NAMES",
    "PENALTY_HALF_LIFE_DAYS",
    "RankContext",
    "candidate_features",
    "context",
    "features_in_halves",
]

FEATURE_NAMES = (
    "item_neighbours",
    "customer_neighbours",
    "popular_14d",
    "popular_60d",
    "log_buyers",
    "log_age_days",
    "new_release_60d",
    "log_history",
    "log_days_since_last",
    "log_rank",
    "item_neighbours_x_history",
    "popular_14d_x_history",
    "age_x_history",
    "momentum",
    "blend",
    "log_new_buyers_30d",
    "text_affinity",
    "ease",
)
PENALTY_HALF_LIFE_DAYS = 30.0
"""Half-life of the recent buyers the re-ranker's popularity penalty counts."""
NEW_RELEASE_DAYS = 60
MAX_AGE_DAYS = 400


def _scale_rows(a: NDArray[np.float32]) -> NDArray[np.float32]:
    scaled: NDArray[np.float32] = a / np.maximum(a.max(axis=1, keepdims=True), np.float32(1e-12))
    return scaled


@dataclass(frozen=True)
class RankContext:
    """Per-product and per-customer facts the features are made of."""

    popular_14d: NDArray[np.float32]
    popular_60d: NDArray[np.float32]
    log_buyers: NDArray[np.float32]
    log_recent_buyers: NDArray[np.float32]
    """log(1 + buyers) with a ``PENALTY_HALF_LIFE_DAYS`` decay: the popularity penalty's basis."""
    log_age: NDArray[np.float32]
    log_history: NDArray[np.float32]
    log_since_last: NDArray[np.float32]
    log_new_buyers: NDArray[np.float32]
    text_profile: sp.csr_matrix | None
    text: sp.csr_matrix | None
    ease: RecentEASE | None
    """EASE weights of the recently sold products (``None``: the feature is zero)."""


def _first_purchases(interactions: Interactions, since_day: int) -> NDArray[np.float64]:
    """Per product, how many customers bought it for the first time on or after ``since_day``."""
    item, first_day = interactions.first_purchases()
    recent = item[first_day >= since_day]
    return np.bincount(recent, minlength=interactions.n_items).astype(np.float64)


def context(
    interactions: Interactions,
    item_features: sp.csr_matrix | None,
    ease: RecentEASE | None = None,
) -> RankContext:
    """The facts of ``interactions``; ``ease`` is :class:`RecentEASE` fitted on them, if any."""
    day = interactions.as_of_day
    pop14 = Popularity(14.0).fit(interactions).scores_
    pop60 = Popularity(60.0).fit(interactions).scores_
    buyers = Popularity(None).fit(interactions).scores_
    recent = Popularity(PENALTY_HALF_LIFE_DAYS).fit(interactions).scores_
    first = np.full(interactions.n_items, day - MAX_AGE_DAYS, dtype=np.int64)
    seen_first = np.full(interactions.n_items, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(seen_first, interactions.basket_item, interactions.basket_day)
    first = np.where(seen_first < np.iinfo(np.int64).max, seen_first, first)
    age = np.clip(day + 1 - first, 0, MAX_AGE_DAYS)
    history = np.bincount(interactions.profile_customer, minlength=interactions.n_customers)
    last = np.full(interactions.n_customers, day - MAX_AGE_DAYS, dtype=np.int64)
    np.maximum.at(last, interactions.profile_customer, interactions.profile_day)
    since = np.clip(day + 1 - last, 0, MAX_AGE_DAYS)
    text_profile = None
    if item_features is not None:
        text_profile = sp.csr_matrix(
            _row_normalised(interactions.profile_matrix(30.0)) @ item_features
        )
    return RankContext(
        popular_14d=(pop14 / max(float(pop14.max(initial=0.0)), 1e-12)).astype(np.float32),
        popular_60d=(pop60 / max(float(pop60.max(initial=0.0)), 1e-12)).astype(np.float32),
        log_buyers=np.log1p(buyers).astype(np.float32),
        log_recent_buyers=np.log1p(recent).astype(np.float32),
        log_age=np.log1p(age).astype(np.float32),
        log_history=np.log1p(history).astype(np.float32),
        log_since_last=np.log1p(since).astype(np.float32),
        log_new_buyers=np.log1p(_first_purchases(interactions, day + 1 - 30)).astype(np.float32),
        text_profile=text_profile,
        text=None if item_features is None else sp.csr_matrix(item_features.T),
        ease=ease,
    )


def _row_normalised(m: sp.csr_matrix) -> sp.csr_matrix:
    sums = np.asarray(m.sum(axis=1), dtype=np.float64).ravel()
    return sp.csr_matrix(sp.diags((1.0 / np.maximum(sums, 1e-12)).astype(np.float32)) @ m)

    # --- features --------------------------------------------------------------------------


def candidate_features(
    base: PersonalRanker,
    ctx: RankContext,
    users: NDArray[np.int64],
    exclude: sp.csr_matrix | None,
    candidates: int,
    ease_weight: float = 0.0,
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Candidates (len(users) × c, -1 padded) and their features (len(users) × c × f).

    The candidates are the best of the base blend plus ``ease_weight`` times the EASE scores
    (negative ones cut, scaled per customer to a maximum of one), when the context has EASE.
    """
    item = _scale_rows(base.item_knn_.score(users))
    cust = _scale_rows(base.customer_knn_.score(users))
    c = base.config
    trend = base.trend_.scores_ / max(float(base.trend_.scores_.max(initial=0.0)), 1e-12)
    blend = item + c.customer_weight * cust + c.trend_weight * trend[None, :]
    if ctx.ease is not None:
        ease = ctx.ease.score(users)
        if ease_weight:
            blend += ease_weight * _scale_rows(np.maximum(ease, 0.0))
    else:
        ease = np.zeros_like(item)
    if exclude is not None:
        ex = exclude[users].tocoo()
        blend[ex.row, ex.col] = -np.inf
    cand, top = top_k_dense(blend, candidates)
    n_users, n_cand = cand.shape
    safe = np.maximum(cand, 0)
    rows = np.arange(n_users)[:, None]
    if ctx.text_profile is not None and ctx.text is not None:
        text = np.asarray((ctx.text_profile[users] @ ctx.text).toarray(), dtype=np.float32)
        f_text = text[rows, safe]
    else:
        f_text = np.zeros(cand.shape, dtype=np.float32)
    hist = ctx.log_history[users][:, None]
    f_item = item[rows, safe]
    f_pop14 = ctx.popular_14d[safe]
    f_pop60 = ctx.popular_60d[safe]
    f_age = ctx.log_age[safe]
    log_rank = np.broadcast_to(np.log1p(np.arange(n_cand, dtype=np.float32)), cand.shape)
    feats = np.stack(
        [
            f_item,
            cust[rows, safe],
            f_pop14,
            f_pop60,
            ctx.log_buyers[safe],
            f_age,
            (f_age < np.log1p(NEW_RELEASE_DAYS)).astype(np.float32),
            np.broadcast_to(hist, cand.shape),
            np.broadcast_to(ctx.log_since_last[users][:, None], cand.shape),
            log_rank,
            f_item * hist,
            f_pop14 * hist,
            f_age * hist,
            np.log((f_pop14 + 1e-3) / (f_pop60 + 1e-3)),
            np.where(np.isfinite(top), top, 0.0),
            ctx.log_new_buyers[safe],
            f_text,
            ease[rows, safe],
        ],
        axis=2,
    ).astype(np.float32)
    return cand, feats


def features_in_halves(
    pool: Executor | None,
    base: PersonalRanker,
    ctx: RankContext,
    users: NDArray[np.int64],
    exclude: sp.csr_matrix | None,
    candidates: int,
    ease_weight: float,
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """:func:`candidate_features` of ``users``, the second half computed by ``pool`` if any.

    A customer's candidates and features depend on nothing but their own row.
    """
    half = len(users) // 2
    if pool is None or half < 64:
        return candidate_features(base, ctx, users, exclude, candidates, ease_weight)
    later = pool.submit(
        candidate_features, base, ctx, users[half:], exclude, candidates, ease_weight
    )
    cand, feats = candidate_features(base, ctx, users[:half], exclude, candidates, ease_weight)
    cand_later, feats_later = later.result()
    return np.vstack([cand, cand_later]), np.vstack([feats, feats_later])
