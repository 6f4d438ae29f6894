"""Most-popular baseline, optionally favouring recent purchases."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde.errors import NotFittedError
from kunde.recommend._interactions import Interactions
from kunde.recommend._topk import top_k_rows

__all__ = ["Popularity"]


class Popularity:
    """Recommend the products bought by the most customers.

    Popularity counts distinct buyers per product (each customer once, anonymous baskets each
    once), weighted by an exponential time decay when ``half_life_days`` is set, so that the
    ranking can follow what is popular *now*. The same list is offered to every customer, minus
    the products a caller excludes.

    Args:
        half_life_days: decay half-life in days; ``None`` counts every purchase the same.
    """

    def __init__(self, half_life_days: float | None = None) -> None:
        self.half_life_days = half_life_days

    def fit(self, interactions: Interactions) -> Popularity:
        """Count (decayed) buyers per product; returns ``self``."""
        basket = interactions.basket_matrix(self.half_life_days)
        self.scores_: NDArray[np.float32] = np.asarray(basket.sum(axis=0), dtype=np.float32).ravel()
        self.n_items_ = interactions.n_items
        return self

    def _check(self) -> None:
        if not hasattr(self, "scores_"):
            raise NotFittedError("Popularity is not fitted; call fit(interactions) first")

    def score(self, users: NDArray[np.int64]) -> NDArray[np.float32]:
        """Dense scores (len(users) × n_items): the same popularity row for everybody."""
        self._check()
        return np.broadcast_to(self.scores_, (len(users), self.n_items_))

    def recommend(
        self, users: NDArray[np.int64], k: int, *, exclude: sp.csr_matrix | None = None
    ) -> NDArray[np.int64]:
        """Top ``k`` product indices per customer (-1 padded), skipping ``exclude``'s entries."""
        return top_k_rows(self.score, np.asarray(users, dtype=np.int64), k, exclude=exclude)[0]
