"""Item-to-item co-purchase neighbours ("customers who bought this also bought")."""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde.errors import InvalidFieldError, NotFittedError
from kunde.recommend._interactions import Interactions
from kunde.recommend._topk import top_k_blocks, top_k_rows, top_k_sparse_rows

__all__ = ["ItemKNN"]

Source = Literal["basket", "customer", "both"]


def bm25_rows(x: sp.csr_matrix, k1: float, b: float) -> sp.csr_matrix:
    """BM25-weight a row × item matrix, rows being the 'documents' and items the 'terms'.

    Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009.
    Rare items get a larger idf and long rows (big baskets, heavy buyers) a smaller weight per
    item.
    """
    x = sp.csr_matrix(x, dtype=np.float32, copy=True)
    n_rows = max(x.shape[0], 1)
    df = np.bincount(x.indices, minlength=x.shape[1]).astype(np.float64)
    idf = np.log(n_rows) - np.log1p(df)
    lengths = np.diff(x.indptr).astype(np.float64)
    norm = (1.0 - b) + b * lengths / max(lengths.mean(), 1e-12)
    row_norm = np.repeat(norm, np.diff(x.indptr))
    x.data = (x.data * (k1 + 1.0) / (k1 * row_norm + x.data) * idf[x.indices]).astype(np.float32)
    return x


class ItemKNN:
    """Item-based collaborative filtering on co-purchase, with measured weighting.

    Similarity between products i and j is built from the co-occurrence ``C = XᵀX`` of a
    row × product matrix X (baskets, customers, or a blend of both), where rows are
    time-decayed and BM25-weighted (Robertson & Zaragoza 2009). It is then normalised as an
    asymmetric cosine with popularity damping (Aiolli, "Efficient top-N recommendation for very
    large scale binary rated datasets", RecSys 2013; Paudel et al., RP3beta, 2017)::

        S_ij = C_ij / (n_i ** alpha · n_j ** (1 − alpha + beta))

    with ``n`` the column norms (weighted occurrence counts). Only the ``neighbours`` largest
    entries per product are kept (Sarwar et al., "Item-based collaborative filtering
    recommendation algorithms", WWW 2001). A customer's score for j is ``Σ_i p_ui S_ij`` where
    ``p_u`` is their own time-decayed purchase profile (gifts never count), normalised to sum
    to one.

    With product text features (see :func:`text_features`) the co-purchase neighbours, scaled
    to a row maximum of one, are joined by ``content_weight`` times the cosine of the
    products' texts (top ``content_neighbours``). That lets products with few purchases yet
    (new releases) enter the lists of products that share their words.

    Assumes implicit, positive-only purchase data.

    Args:
        neighbours: neighbours kept per product.
        source: co-purchase in "basket" (orders, anonymous included), "customer" histories, or
            "both" (baskets and customer histories stacked as rows of one matrix).
        k1: BM25 saturation; ``b``: BM25 length normalisation (``k1=0`` switches BM25 off).
        alpha: asymmetry of the cosine (0.5 is the plain cosine).
        beta: extra popularity damping of the recommended product.
        half_life_days: time decay half-life of co-purchase rows (``None``: no decay).
        profile_half_life_days: time decay of the customer's own history (``None``: no decay).
        content_weight: weight of the text similarity (used when ``fit`` gets item features).
        content_neighbours: text neighbours kept per product.
        max_row_items: keep only this many products per customer history when computing
            co-purchase (the most recent ones, by decayed weight): very long histories of
            resellers cost quadratic time and carry little signal per pair.
    """

    def __init__(
        self,
        neighbours: int = 100,
        *,
        source: Source = "both",
        k1: float = 1.2,
        b: float = 0.75,
        alpha: float = 0.5,
        beta: float = 0.0,
        half_life_days: float | None = None,
        profile_half_life_days: float | None = None,
        content_weight: float = 0.0,
        content_neighbours: int = 50,
        max_row_items: int | None = None,
    ) -> None:
        if neighbours < 1:
            raise InvalidFieldError("neighbours", "must be at least 1")
        if source not in ("basket", "customer", "both"):
            raise InvalidFieldError("source", "must be 'basket', 'customer' or 'both'")
        if not 0.0 <= alpha <= 1.0:
            raise InvalidFieldError("alpha", "must lie in [0, 1]")
        self.neighbours = neighbours
        self.source = source
        self.k1 = k1
        self.b = b
        self.alpha = alpha
        self.beta = beta
        self.half_life_days = half_life_days
        self.profile_half_life_days = profile_half_life_days
        self.content_weight = content_weight
        self.content_neighbours = content_neighbours
        self.max_row_items = max_row_items

    def _weighted(self, x: sp.csr_matrix) -> sp.csr_matrix:
        return bm25_rows(x, self.k1, self.b) if self.k1 > 0 else x

    def _similarity(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """Top-``neighbours`` normalised co-occurrence, built in blocks of products.

        The left factor ``n_i ** -alpha`` scales a whole row, so it cannot change which
        neighbours the row keeps: it is applied to the kept entries only.
        """
        n_items = x.shape[1]
        xt = sp.csr_matrix(x.T)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0), dtype=np.float64).ravel())
        norms = np.maximum(norms, 1e-12)
        left = (norms ** (-2.0 * self.alpha)).astype(np.float32)
        right = (norms ** (-2.0 * (1.0 - self.alpha + self.beta))).astype(np.float32)

        def block(start: int, stop: int) -> sp.csr_matrix:
            b = sp.csr_matrix(xt[start:stop] @ x, dtype=np.float32)
            b.data *= right[b.indices]
            row = np.repeat(np.arange(start, stop), np.diff(b.indptr))
            b.data[b.indices == row] = 0.0  # a product is not its own neighbour
            return b

        sim = top_k_blocks(block, n_items, n_items, min(self.neighbours, max(n_items - 1, 1)))
        sim.data *= np.repeat(left, np.diff(sim.indptr))
        return sim

    def text_similarity(self, item_features: sp.csr_matrix) -> sp.csr_matrix:
        """Top ``content_neighbours`` cosine neighbours of the products' texts.

        Depends on the texts only, not on the purchases: compute it once and pass it to
        :meth:`fit` of every model that uses the same texts and ``content_neighbours``.
        Text vectors are sparse and short, so their product stays sparse.
        """
        content = sp.csr_matrix(item_features, dtype=np.float32)
        sim = sp.csr_matrix(content @ content.T, dtype=np.float32)
        sim.setdiag(0.0)
        sim.data[sim.data < 0] = 0.0
        sim.eliminate_zeros()
        return top_k_sparse_rows(sim, min(self.content_neighbours, max(content.shape[0] - 1, 1)))

    def fit(
        self,
        interactions: Interactions,
        item_features: sp.csr_matrix | None = None,
        *,
        text_similarity: sp.csr_matrix | None = None,
    ) -> ItemKNN:
        """Learn the neighbour lists and keep the customers' profiles; returns ``self``.

        Args:
            interactions: the training order lines.
            item_features: optional L2-normalised product features (n_items × features),
                e.g. from :func:`text_features`.
            text_similarity: the result of :meth:`text_similarity` for ``item_features``
                when already computed (saves recomputing it).
        """
        if item_features is not None and item_features.shape[0] != interactions.n_items:
            raise InvalidFieldError(
                "item_features", f"expected {interactions.n_items} rows, one per product"
            )
        n = interactions.n_items
        if text_similarity is not None and text_similarity.shape != (n, n):
            raise InvalidFieldError("text_similarity", f"expected {n} × {n}, one row per product")
        use_text = (item_features is not None or text_similarity is not None) and (
            self.content_weight > 0
        )
        if self.source == "basket":
            x = interactions.basket_matrix(self.half_life_days)
        else:
            x = interactions.profile_matrix(self.half_life_days)
            if self.max_row_items is not None:
                x = top_k_sparse_rows(x, self.max_row_items)
            x.data = np.minimum(x.data, 1.0)
            if self.source == "both":
                x = sp.csr_matrix(sp.vstack([x, interactions.basket_matrix(self.half_life_days)]))
        sim = self._similarity(self._weighted(x))
        if use_text:
            if text_similarity is None:
                assert item_features is not None
                text_similarity = self.text_similarity(item_features)
            row_max = np.asarray(sim.max(axis=1).toarray(), dtype=np.float32).ravel()
            sim = sp.csr_matrix(sp.diags(1.0 / np.maximum(row_max, 1e-12)) @ sim)
            sim = sp.csr_matrix(sim + self.content_weight * text_similarity)
        self.similarity_: sp.csr_matrix = sim
        self.profile_: sp.csr_matrix = interactions.profile_matrix(self.profile_half_life_days)
        return self

    def _check(self) -> None:
        if not hasattr(self, "similarity_"):
            raise NotFittedError("ItemKNN is not fitted; call fit(interactions) first")

    def score(self, users: NDArray[np.int64]) -> NDArray[np.float32]:
        """Dense scores (len(users) × n_items) from the customers' profiles."""
        self._check()
        p = self.profile_[users]
        sums = np.asarray(p.sum(axis=1), dtype=np.float32).ravel()
        p = sp.diags(1.0 / np.maximum(sums, 1e-12)) @ p
        return np.asarray((p @ self.similarity_).toarray(), dtype=np.float32)

    def recommend(
        self, users: NDArray[np.int64], k: int, *, exclude: sp.csr_matrix | None = None
    ) -> NDArray[np.int64]:
        """Top ``k`` product indices per customer (-1 padded), skipping ``exclude``'s entries."""
        return top_k_rows(self.score, np.asarray(users, dtype=np.int64), k, exclude=exclude)[0]

    def similar_items(
        self, item: int, k: int = 10
    ) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """The ``k`` nearest co-purchase neighbours of one product, best first."""
        self._check()
        row = self.similarity_[item]
        order = np.argsort(-row.data, kind="stable")[:k]
        return row.indices[order].astype(np.int64), row.data[order].astype(np.float32)
