"""kunde's personal ranking: co-purchase neighbours, similar customers and what is new now."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde.errors import NotFittedError
from kunde.recommend._blend import Blend
from kunde.recommend._customerknn import CustomerKNN
from kunde.recommend._interactions import Interactions
from kunde.recommend._itemknn import ItemKNN
from kunde.recommend._popularity import Popularity
from kunde.recommend._topk import top_k_rows

__all__ = ["PersonalRanker", "PersonalRankerConfig"]


@dataclass(frozen=True)
class PersonalRankerConfig:
    """Settings of the personal ranking; the defaults were chosen on Online Retail validation
    months before 2011-09 (see ``bench/recommend_eval.py``)."""

    neighbours: int = 20
    """Co-purchase neighbours kept per product."""
    alpha: float = 0.7
    """Asymmetry of the cosine between products (0.5 = plain cosine)."""
    beta: float = 0.0
    """Extra popularity damping of the recommended product."""
    k1: float = 0.6
    """BM25 saturation of the customer × product matrix (0 switches BM25 off)."""
    b: float = 1.0
    """BM25 length normalisation: long histories weigh less per product."""
    half_life_days: float | None = 90.0
    """Time decay of co-purchase evidence."""
    profile_half_life_days: float | None = 30.0
    """Time decay of the customer's own interests."""
    max_row_items: int | None = 150
    """Most recent products per customer used for co-purchase (bounds the quadratic cost)."""
    content_weight: float = 1.0
    """Weight of product text similarity next to co-purchase (needs item features)."""
    content_neighbours: int = 50
    """Text neighbours kept per product."""
    customer_neighbours: int = 50
    """Similar customers consulted per customer."""
    customer_half_life_days: float | None = 60.0
    """Time decay of the similar customers' purchases."""
    customer_weight: float = 0.3
    """Weight of "customers like you bought" next to the product neighbours."""
    trend_weight: float = 0.1
    """Weight of recent popularity ("popular this week")."""
    trend_half_life_days: float | None = 14.0
    """Half-life of that popularity."""


class PersonalRanker:
    """The personal feed's base ranking before the feed rules are applied.

    Three scorers, each scaled per customer to a maximum of one and summed with weights:

    1. :class:`ItemKNN` — products bought together with the customer's own recent purchases,
       joined by products with similar text;
    2. :class:`CustomerKNN` — what customers with a similar history bought recently;
    3. :class:`Popularity` with a short half-life — what is popular now, which also lifts new
       releases that have no co-purchase history yet.

    Gift lines never reach a profile (see :func:`build_interactions`).

    Args:
        config: the settings; defaults as measured on Online Retail.
    """

    def __init__(self, config: PersonalRankerConfig | None = None) -> None:
        self.config = config or PersonalRankerConfig()

    def item_knn(self) -> ItemKNN:
        """The (unfitted) product-neighbour scorer of this configuration."""
        c = self.config
        return ItemKNN(
            c.neighbours,
            source="customer",
            k1=c.k1,
            b=c.b,
            alpha=c.alpha,
            beta=c.beta,
            half_life_days=c.half_life_days,
            profile_half_life_days=c.profile_half_life_days,
            content_weight=c.content_weight,
            content_neighbours=c.content_neighbours,
            max_row_items=c.max_row_items,
        )

    def fit(
        self,
        interactions: Interactions,
        item_features: sp.csr_matrix | None = None,
        *,
        text_similarity: sp.csr_matrix | None = None,
    ) -> PersonalRanker:
        """Fit the three scorers; returns ``self``.

        ``text_similarity`` is :meth:`ItemKNN.text_similarity` of ``item_features`` when
        already computed (see :meth:`item_knn`).
        """
        c = self.config
        self.item_knn_ = self.item_knn().fit(
            interactions, item_features, text_similarity=text_similarity
        )
        self.customer_knn_ = CustomerKNN(
            c.customer_neighbours, half_life_days=c.customer_half_life_days
        ).fit(interactions)
        self.trend_ = Popularity(c.trend_half_life_days).fit(interactions)
        self.blend_ = Blend(
            [self.item_knn_, self.customer_knn_, self.trend_],
            [1.0, c.customer_weight, c.trend_weight],
        )
        return self

    def _check(self) -> None:
        if not hasattr(self, "blend_"):
            raise NotFittedError("PersonalRanker is not fitted; call fit(interactions) first")

    def score(self, users: NDArray[np.int64]) -> NDArray[np.float32]:
        """Dense blended scores (len(users) × n_items)."""
        self._check()
        return self.blend_.score(users)

    def recommend(
        self, users: NDArray[np.int64], k: int, *, exclude: sp.csr_matrix | None = None
    ) -> NDArray[np.int64]:
        """Top ``k`` product indices per customer (-1 padded), skipping ``exclude``'s entries."""
        return top_k_rows(self.score, np.asarray(users, dtype=np.int64), k, exclude=exclude)[0]
