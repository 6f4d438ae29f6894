"""Complements and substitutes from basket co-purchase lift."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from kunde.errors import InvalidFieldError, NotFittedError
from kunde.recommend._interactions import Interactions
from kunde.recommend._topk import top_k_blocks_of_many

__all__ = ["Complements"]


class Complements:
    """Products bought in the same basket, split into complements and substitutes.

    For products i and j the lift is ``P(i, j) / (P(i) · P(j))`` over baskets (anonymous
    orders included): how much more often they share a basket than chance would have them
    (Brin et al., "Dynamic itemset counting and implication rules for market basket data",
    SIGMOD 1997). Pairs seen together in fewer than ``min_support`` baskets are dropped, and
    the lift is shrunk towards zero for thin evidence, ``lift · c / (c + shrinkage)``.

    Pairs from *different* categories are **complements** (a lamp and its bulbs); pairs from the
    *same* category are **substitutes** (two lamps), kept in a separate list so that a product
    page can show "goes well with" apart from "similar products".

    Args:
        neighbours: products kept per product in each list.
        min_support: fewest shared baskets for a pair to count.
        shrinkage: evidence (in baskets) at which the lift is halved.
        half_life_days: time decay of baskets (``None``: no decay).
    """

    def __init__(
        self,
        neighbours: int = 10,
        *,
        min_support: int = 3,
        shrinkage: float = 5.0,
        half_life_days: float | None = None,
    ) -> None:
        if neighbours < 1:
            raise InvalidFieldError("neighbours", "must be at least 1")
        if min_support < 1:
            raise InvalidFieldError("min_support", "must be at least 1 basket")
        if shrinkage < 0:
            raise InvalidFieldError("shrinkage", "must not be negative")
        self.neighbours = neighbours
        self.min_support = min_support
        self.shrinkage = shrinkage
        self.half_life_days = half_life_days

    def fit(self, interactions: Interactions, item_category: ArrayLike) -> Complements:
        """Compute both lists from the basket matrix; returns ``self``.

        Args:
            interactions: the order lines.
            item_category: category index per product (n_items integers; -1 = unknown, which
                never matches another product's category).
        """
        category = np.asarray(item_category, dtype=np.int64)
        n_items = interactions.n_items
        if category.shape != (n_items,):
            raise InvalidFieldError(
                "item_category", f"expected one category per product ({n_items})"
            )
        presence = interactions.basket_matrix()
        weighted = interactions.basket_matrix(self.half_life_days)
        # total basket weight: each non-empty basket counts with its decay weight
        n_baskets = max(float(np.asarray(weighted.max(axis=1).toarray()).sum()), 1.0)
        counts = np.asarray(presence.sum(axis=0), dtype=np.float64).ravel()
        weight = np.asarray(weighted.sum(axis=0), dtype=np.float64).ravel()
        inv = (1.0 / np.maximum(weight, 1e-12)).astype(np.float32)
        # one product gives both counts: support (shared baskets) as the real part and the
        # decayed joint weight Σ w_b·w_b as the imaginary part (presence is 0/1, so every
        # product 1·w² and sum is the one the two separate real products would make)
        presence_t = sp.csr_matrix(presence.T, dtype=np.complex64)
        squared = sp.csr_matrix(weighted, dtype=np.float32, copy=True)
        squared.data *= squared.data
        paired = sp.csr_matrix(presence + 1j * squared, dtype=np.complex64)
        known = category >= 0
        any_known = bool(known.any())
        n_b = np.float32(n_baskets)
        shrink = np.float32(self.shrinkage)

        def lift_blocks(start: int, stop: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
            both = sp.csr_matrix(presence_t[start:stop] @ paired)
            row = np.repeat(np.arange(start, stop), np.diff(both.indptr))
            col = both.indices
            support = both.data.real.astype(np.float32)
            lift = both.data.imag.astype(np.float32) * n_b * inv[row] * inv[col]
            lift *= support / (support + shrink)
            lift[(support < self.min_support) | (col == row)] = 0.0
            shape = (stop - start, n_items)
            if not any_known:  # no pair shares a category: all complements, no substitutes
                return (
                    sp.csr_matrix((lift, col, both.indptr), shape=shape),
                    sp.csr_matrix(shape, dtype=np.float32),
                )
            same_cat = (category[row] == category[col]) & known[row]
            return (
                sp.csr_matrix((np.where(same_cat, 0.0, lift), col, both.indptr), shape=shape),
                sp.csr_matrix((np.where(same_cat, lift, 0.0), col, both.indptr), shape=shape),
            )

        k = min(self.neighbours, max(n_items - 1, 1))
        complements, substitutes = top_k_blocks_of_many(lift_blocks, 2, n_items, n_items, k)
        self.complements_: sp.csr_matrix = complements
        self.substitutes_: sp.csr_matrix = substitutes
        self.item_buyers_: NDArray[np.float64] = counts
        return self

    def _row(
        self, matrix: sp.csr_matrix, item: int, k: int
    ) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        if not 0 <= item < matrix.shape[0]:
            raise InvalidFieldError("item", f"index {item} outside [0, {matrix.shape[0]})")
        row = matrix[item]
        order = np.argsort(-row.data, kind="stable")[:k]
        return row.indices[order].astype(np.int64), row.data[order].astype(np.float32)

    def complements(self, item: int, k: int = 10) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Products of other categories bought with ``item``, by lift, best first."""
        if not hasattr(self, "complements_"):
            raise NotFittedError("Complements is not fitted; call fit(interactions, categories)")
        return self._row(self.complements_, item, k)

    def substitutes(self, item: int, k: int = 10) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Products of the same category bought with ``item``, by lift, best first."""
        if not hasattr(self, "substitutes_"):
            raise NotFittedError("Complements is not fitted; call fit(interactions, categories)")
        return self._row(self.substitutes_, item, k)
