"""EASE: embarrassingly shallow autoencoder (Steck 2019), a strong linear baseline."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde.errors import InvalidFieldError, NotFittedError
from kunde.recommend._interactions import Interactions
from kunde.recommend._topk import top_k_rows

__all__ = ["EASE"]


class EASE:
    """Item-item linear model with a closed-form solution.

    Harald Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019. With the
    binary customer × product matrix X, the weights are ``B = I − P·diag(1/diag(P))`` where
    ``P = (XᵀX + λI)⁻¹`` and the diagonal of B is forced to zero. Scores are ``X·B``.

    Assumes a catalog small enough for a dense n_items × n_items inverse (memory n_items² × 8
    bytes: 10,000 products need 800 MB).

    Args:
        l2: the regularisation λ (Steck uses 100 … 1000 for binary data).
    """

    def __init__(self, l2: float = 500.0) -> None:
        if l2 <= 0:
            raise InvalidFieldError("l2", "must be positive")
        self.l2 = l2

    def fit(self, interactions: Interactions) -> EASE:
        """Solve for the item-item weights; returns ``self``."""
        import scipy.linalg  # only here: importing it costs ~0.1 s at every `kunde` start-up

        x = interactions.profile_matrix()
        x.data[:] = 1.0
        gram = (x.T @ x).toarray().astype(np.float64)
        gram[np.diag_indices_from(gram)] += self.l2
        p = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False)
        b = -p / np.diag(p)[None, :]
        b[np.diag_indices_from(b)] = 0.0
        self.weights_: NDArray[np.float32] = b.astype(np.float32)
        self.history_: sp.csr_matrix = x
        return self

    def score(self, users: NDArray[np.int64]) -> NDArray[np.float32]:
        """Dense scores (len(users) × n_items) from the customers' training history."""
        if not hasattr(self, "weights_"):
            raise NotFittedError("EASE is not fitted; call fit(interactions) first")
        return np.asarray(self.history_[users] @ self.weights_, dtype=np.float32)

    def recommend(
        self, users: NDArray[np.int64], k: int, *, exclude: sp.csr_matrix | None = None
    ) -> NDArray[np.int64]:
        """Top ``k`` product indices per customer (-1 padded), skipping ``exclude``'s entries."""
        return top_k_rows(self.score, np.asarray(users, dtype=np.int64), k, exclude=exclude)[0]
