"""The re-ranker's training data: what each customer bought new in the hold-out, and the
labelled (customer, candidate) pairs made of it."""

from __future__ import annotations

from concurrent.futures import Executor

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde.recommend._interactions import Interactions
from kunde.recommend._personal import PersonalRanker
from kunde.recommend._rerank_features import RankContext, features_in_halves
from kunde.recommend._topk import BLOCK_ROWS

__all__ = ["holdout_truth", "training_pairs"]


def holdout_truth(
    interactions: Interactions, inner: Interactions
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``(before, truth)``: the history before the hold-out (``inner``'s lines) and, per
    customer, the products bought in the hold-out that were not in that history."""
    cut = inner.as_of_day + 1
    shape = (interactions.n_customers, interactions.n_items)
    before = inner.profile_matrix()
    later = interactions.profile_day >= cut
    after = sp.csr_matrix(
        (
            np.ones(int(later.sum()), dtype=np.float32),
            (interactions.profile_customer[later], interactions.profile_item[later]),
        ),
        shape=shape,
    )
    after.sum_duplicates()
    truth = sp.csr_matrix(after - after.multiply(before > 0))
    truth.eliminate_zeros()
    return before, truth


def training_pairs(
    pool: Executor | None,
    base: PersonalRanker,
    ctx: RankContext,
    users: NDArray[np.int64],
    before: sp.csr_matrix,
    truth: sp.csr_matrix,
    candidates: int,
    ease_weight: float,
    truth_weight_power: float,
    negative_share: float,
    rng: np.random.Generator,
) -> tuple[NDArray[np.float32], NDArray[np.bool_], NDArray[np.float64]]:
    """Features, labels and weights (mean one) of the hold-out customers' candidates.

    Each customer's pairs weigh ``|truth|^−truth_weight_power``; unbought candidates are kept
    with probability ``negative_share`` and weighted up by its inverse.
    """
    n_items = truth.shape[1]
    t_rows = np.repeat(np.arange(truth.shape[0], dtype=np.int64), np.diff(truth.indptr))
    truth_keys = t_rows * n_items + truth.indices.astype(np.int64)
    n_truth = np.diff(truth.indptr).astype(np.float64)
    xs: list[NDArray[np.float32]] = []
    ys: list[NDArray[np.bool_]] = []
    ws: list[NDArray[np.float64]] = []
    for start in range(0, len(users), BLOCK_ROWS):
        block = users[start : start + BLOCK_ROWS]
        cand, feats = features_in_halves(pool, base, ctx, block, before, candidates, ease_weight)
        labels = np.isin(block[:, None] * n_items + cand, truth_keys)
        user_w = np.broadcast_to(n_truth[block, None] ** -truth_weight_power, cand.shape)
        sampled = rng.random(cand.shape) < negative_share
        ok = (cand >= 0) & (labels | sampled)
        xs.append(feats[ok])
        ys.append(labels[ok])
        ws.append(np.where(labels, user_w, user_w / negative_share)[ok])
    w = np.concatenate(ws)
    return np.vstack(xs), np.concatenate(ys), w / w.mean()
