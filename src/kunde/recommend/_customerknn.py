"""Customer-to-customer neighbours: "customers like you recently bought"."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde.errors import InvalidFieldError, NotFittedError
from kunde.recommend._interactions import Interactions
from kunde.recommend._topk import top_k_dense, top_k_rows

__all__ = ["CustomerKNN"]


class CustomerKNN:
    """User-based collaborative filtering on purchase histories.

    Customers are compared by the cosine of their binary purchase histories (Herlocker et al.,
    "An algorithmic framework for performing collaborative filtering", SIGIR 1999). A customer's
    score for a product is the similarity-weighted sum over their ``neighbours`` most similar
    customers of those customers' purchases of it, each purchase weighted by
    ``log(1 + time-decayed count)`` so that what neighbours bought *recently* counts most.

    Gifts never enter a history (see :func:`build_interactions`). Scoring needs the
    similarity of the asked customers to all customers: cost grows with the customer count.

    Args:
        neighbours: similar customers used per customer.
        half_life_days: decay of the neighbours' purchases (``None``: no decay, binary).
    """

    def __init__(self, neighbours: int = 50, *, half_life_days: float | None = 60.0) -> None:
        if neighbours < 1:
            raise InvalidFieldError("neighbours", "must be at least 1")
        self.neighbours = neighbours
        self.half_life_days = half_life_days

    def fit(self, interactions: Interactions) -> CustomerKNN:
        """Keep the normalised histories; returns ``self``."""
        history = interactions.profile_matrix()
        history.data[:] = 1.0
        norms = np.sqrt(np.asarray(history.sum(axis=1), dtype=np.float64).ravel())
        inv = (1.0 / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        self.normalised_: sp.csr_matrix = sp.csr_matrix(sp.diags(inv) @ history)
        self.normalised_t_: sp.csr_matrix = sp.csr_matrix(self.normalised_.T)
        recent = interactions.profile_matrix(self.half_life_days)
        if self.half_life_days is None:
            recent.data[:] = 1.0
        else:
            recent.data = np.log1p(recent.data)
        self.purchases_: sp.csr_matrix = recent
        return self

    def score(self, users: NDArray[np.int64]) -> NDArray[np.float32]:
        """Dense scores (len(users) × n_items) from the neighbours' purchases."""
        if not hasattr(self, "purchases_"):
            raise NotFittedError("CustomerKNN is not fitted; call fit(interactions) first")
        sim = np.asarray((self.normalised_[users] @ self.normalised_t_).toarray(), dtype=np.float32)
        sim[np.arange(len(users)), users] = 0.0  # a customer is not their own neighbour
        sim[sim <= 0] = -np.inf
        idx, top = top_k_dense(sim, min(self.neighbours, sim.shape[1]), many_ties=True)
        ok = idx >= 0
        weights = sp.csr_matrix(
            (top[ok], (np.nonzero(ok)[0], idx[ok])), shape=(len(users), sim.shape[1])
        )
        return np.asarray((weights @ self.purchases_).toarray(), dtype=np.float32)

    def recommend(
        self, users: NDArray[np.int64], k: int, *, exclude: sp.csr_matrix | None = None
    ) -> NDArray[np.int64]:
        """Top ``k`` product indices per customer (-1 padded), skipping ``exclude``'s entries."""
        return top_k_rows(self.score, np.asarray(users, dtype=np.int64), k, exclude=exclude)[0]
