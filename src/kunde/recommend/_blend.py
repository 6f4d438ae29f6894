"""Blend of several scorers into one personal ranking."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde.errors import InvalidFieldError
from kunde.recommend._topk import top_k_rows

__all__ = ["Blend", "Scorer"]


class Scorer(Protocol):
    """Anything that scores every product for a block of customers."""

    def score(self, users: NDArray[np.int64]) -> NDArray[np.float32]:
        """Dense scores (len(users) × n_items)."""
        ...


class Blend:
    """Weighted sum of fitted scorers, each scaled to a per-customer maximum of one.

    Scaling per customer makes the weights mean the same for a customer with two purchases
    and one with two hundred. The weights are chosen by measurement on a validation split
    (see ``bench/recommend_eval.py``).

    Args:
        scorers: fitted models with a ``score(users)`` method.
        weights: one non-negative weight per scorer.
    """

    def __init__(self, scorers: Sequence[Scorer], weights: Sequence[float]) -> None:
        if len(scorers) != len(weights) or not scorers:
            raise InvalidFieldError("weights", "give one weight per scorer, at least one scorer")
        if any(w < 0 for w in weights):
            raise InvalidFieldError("weights", "weights must not be negative")
        self.scorers = list(scorers)
        self.weights = [float(w) for w in weights]

    def score(self, users: NDArray[np.int64]) -> NDArray[np.float32]:
        """Dense blended scores (len(users) × n_items)."""
        total: NDArray[np.float32] | None = None
        for scorer, weight in zip(self.scorers, self.weights, strict=True):
            if weight == 0:
                continue
            s = np.asarray(scorer.score(users), dtype=np.float32)
            s = s / np.maximum(s.max(axis=1, keepdims=True), np.float32(1e-12))
            total = weight * s if total is None else total + weight * s
        if total is None:
            total = np.zeros_like(np.asarray(self.scorers[0].score(users), dtype=np.float32))
        return total

    def recommend(
        self, users: NDArray[np.int64], k: int, *, exclude: sp.csr_matrix | None = None
    ) -> NDArray[np.int64]:
        """Top ``k`` product indices per customer (-1 padded), skipping ``exclude``'s entries."""
        return top_k_rows(self.score, np.asarray(users, dtype=np.int64), k, exclude=exclude)[0]
