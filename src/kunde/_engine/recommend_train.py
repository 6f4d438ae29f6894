"""``kunde train --only recommend``: fit every recommendation model and store a new version.

What is fitted (all from :mod:`kunde.recommend`):

* the personal ranking — :class:`LearnedRanker` (blend re-ranked by a learned model), or the
  plain :class:`PersonalRanker` blend when ``KUNDE_RECOMMEND_RERANKER=false`` or the shop's
  history is too short for the re-ranker to learn from; its top candidates per customer are
  stored, already-bought durables left out;
* "also bought" — :class:`ItemKNN` on baskets and customer histories (BM25, time decay);
* complements — :class:`Complements` (cross-category lift);
* popularity this week, per segment (the customer's country) and for the whole shop;
* new releases and the products' text features (content similarity for their cold start).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from kunde._engine.recommend_data import RecommendData, load_data
from kunde._engine.recommend_model import write_model
from kunde.config import Settings
from kunde.errors import ConvergenceError
from kunde.recommend import (
    Complements,
    Interactions,
    ItemKNN,
    LearnedRanker,
    PersonalRanker,
    Popularity,
    text_features,
    top_k_rows,
)
from kunde.store import Store

__all__ = [
    "ALSO_BOUGHT_HALF_LIFE_DAYS",
    "TREND_HALF_LIFE_DAYS",
    "PersonalModel",
    "durable_mask",
    "fit_personal",
    "match_ease_coverage",
    "train",
]

TREND_HALF_LIFE_DAYS = 7.0
"""Half-life of "popular this week"."""
ALSO_BOUGHT_HALF_LIFE_DAYS = 365.0
"""Half-life of co-purchase evidence for "also bought" and complements."""
SEGMENT_POPULAR = 100
"""Popular products stored per segment."""
CANDIDATE_CHUNK = 1024
"""Customers ranked at a time by each of the two training threads."""


COVERAGE_DAYS = 30
"""The re-ranker's penalty is calibrated on the customers who bought in this many days."""
COVERAGE_K = 10
"""List length of that calibration (a page)."""


@dataclass(frozen=True)
class PersonalModel:
    """A fitted personal ranking and the product neighbours behind it.

    ``calibration`` says how the learned re-ranker's popularity penalty was set
    (:func:`match_ease_coverage`), ``None`` when it was not.
    """

    ranker: LearnedRanker | PersonalRanker
    similarity: sp.csr_matrix
    kind: str
    calibration: dict[str, float] | None = None


def fit_personal(
    interactions: Interactions,
    features: sp.csr_matrix,
    *,
    reranker: bool,
    calibrate: bool = True,
) -> PersonalModel:
    """Fit kunde's personal ranking (the learned re-ranker when asked and learnable).

    With ``calibrate`` the re-ranker's popularity penalty is set by :func:`match_ease_coverage`.
    """
    if reranker:
        try:
            learned = LearnedRanker().fit(interactions, features)
            calibration = match_ease_coverage(learned, interactions) if calibrate else None
            return PersonalModel(
                learned, learned.base_.item_knn_.similarity_, "learned", calibration
            )
        except ConvergenceError:
            pass  # too little recent history to learn from: the blend alone
    blend = PersonalRanker().fit(interactions, features)
    return PersonalModel(blend, blend.item_knn_.similarity_, "blend")


def match_ease_coverage(
    learned: LearnedRanker, interactions: Interactions
) -> dict[str, float] | None:
    """Set the re-ranker's popularity penalty so its lists span as much catalog as EASE's.

    The re-ranker favours what sells now, so its lists gather on fewer products than EASE's
    (Steck 2019, the strongest baseline in ``bench/recommend_eval.py``). For the customers who
    bought in the last ``COVERAGE_DAYS`` (those most likely to come back), the smallest
    penalty (:meth:`LearnedRanker.calibrate_penalty`) whose ``COVERAGE_K`` lists of products
    new to them cover at least the share of the catalog that the re-ranker's own EASE model's
    lists cover. Coverage needs no later purchases, so this runs at training time. Returns
    the penalty, both coverages and the customer count (``None``: no EASE, no such customer).
    """
    ease = learned.context_.ease
    inter = interactions
    users = np.unique(inter.profile_customer[inter.profile_day > inter.as_of_day - COVERAGE_DAYS])
    if ease is None or len(users) == 0:
        return None
    seen = inter.profile_matrix()
    recs, _ = top_k_rows(ease.score, users, COVERAGE_K, exclude=seen)
    target = len(np.unique(recs[recs >= 0])) / inter.n_items
    reached = learned.calibrate_penalty(users, COVERAGE_K, target, exclude=seen)
    return {
        "penalty": learned.popularity_penalty,
        "coverage": round(reached, 4),
        "ease_coverage": round(target, 4),
        "customers": len(users),
    }


def durable_mask(category_names: NDArray[np.str_], consumable: list[str]) -> NDArray[np.bool_]:
    """Per feed category, whether its products are durable (not offered again once bought).

    A consumable setting names a category and everything under it; it matches a feed category
    that equals it, lies under it, or contains it.
    """
    durable = np.ones(len(category_names), dtype=bool)
    for name in consumable:  # a handful of settings, not a loop over data
        prefix = name.strip()
        if not prefix:
            continue
        under = np.char.startswith(category_names.astype(str), prefix)
        above = np.array([prefix.startswith(c) for c in category_names.tolist()], dtype=bool)
        durable &= ~(under | above)
    return durable


def _durable_bought(data: RecommendData, inter: Interactions, durable: NDArray[np.bool_]) -> Any:
    """Customer × product: durables each customer bought for themselves."""
    own = sp.csr_matrix(
        (
            np.ones(len(inter.profile_item), dtype=np.float32),
            (inter.profile_customer, inter.profile_item),
        ),
        shape=(data.n_customers, data.n_items),
    )
    cat = data.item_category
    keep = np.where(cat >= 0, durable[np.maximum(cat, 0)] if len(durable) else True, True)
    return sp.csr_matrix(own @ sp.diags(keep.astype(np.float32)))


def _segment_popular(data: RecommendData) -> tuple[NDArray[np.str_], NDArray[np.int32]]:
    segments, seg_of_customer = np.unique(data.customer_country, return_inverse=True)
    known = data.customer >= 0
    weight = np.exp2(-(data.as_of_day - data.day[known]) / TREND_HALF_LIFE_DAYS)
    counts = sp.csr_matrix(
        (weight, (seg_of_customer[data.customer[known]], data.item[known])),
        shape=(len(segments), data.n_items),
        dtype=np.float32,
    )
    k = min(SEGMENT_POPULAR, data.n_items)
    dense = np.asarray(counts.toarray(), dtype=np.float32)
    dense[dense <= 0] = -np.inf
    top, _ = top_k_rows(lambda rows: dense[rows], np.arange(len(segments)), k)
    return segments.astype(np.str_), top.astype(np.int32)


@dataclass(frozen=True)
class ProductLists:
    """The lists that do not depend on the customer: "also bought", complements, trends."""

    also_bought: sp.csr_matrix
    complements: sp.csr_matrix
    trend: NDArray[np.float32]
    segment_names: NDArray[np.str_]
    segment_popular: NDArray[np.int32]


def _product_lists(data: RecommendData, inter: Interactions) -> ProductLists:
    also_bought = ItemKNN(
        50, source="both", half_life_days=ALSO_BOUGHT_HALF_LIFE_DAYS, max_row_items=150
    ).fit(inter)
    complements = Complements(20, half_life_days=ALSO_BOUGHT_HALF_LIFE_DAYS).fit(
        inter, data.item_category
    )
    trend = Popularity(TREND_HALF_LIFE_DAYS).fit(inter).scores_
    segment_names, segment_popular = _segment_popular(data)
    return ProductLists(
        also_bought.similarity_,
        complements.complements_,
        trend.astype(np.float32),
        segment_names,
        segment_popular,
    )


def train(store: Store, settings: Settings) -> dict[str, Any]:
    """Fit the recommendation models on everything stored and swap in a new version.

    Returns:
        The manifest: version, counts, which personal ranking, timings.

    Raises:
        InputError: no bought product lines are stored.
    """
    started = time.perf_counter()
    trained_at = datetime.now(UTC).replace(tzinfo=None)
    data = load_data(store, settings.recommend_category_depth)
    loaded = time.perf_counter()
    inter = data.interactions()
    features = text_features(data.item_text)
    durable = durable_mask(data.category_names, settings.recommend_consumable_categories)
    users = np.flatnonzero(np.bincount(inter.profile_customer, minlength=data.n_customers) > 0)
    candidates = np.full((data.n_customers, settings.recommend_candidates), -1, dtype=np.int32)
    # two threads (numpy and scipy release the GIL in their loops): the product lists beside
    # the personal ranking, then half of the customers' candidates each. Every result is the
    # one a single thread computes: no model depends on another or on the order of the work.
    # BLAS threads on top of those only spin: one BLAS thread takes ~0.25 s less CPU for the
    # same artefact (bit for bit on Online Retail)
    with (
        threadpool_limits(limits=1, user_api="blas"),
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="kunde-train") as pool,
    ):
        side = pool.submit(_product_lists, data, inter)
        personal = fit_personal(
            inter,
            features,
            reranker=settings.recommend_reranker,
            calibrate=settings.recommend_coverage_calibration,
        )
        if len(users):
            exclude = _durable_bought(data, inter, durable)

            def rank(chunks: list[NDArray[np.int64]]) -> None:
                for chunk in chunks:
                    candidates[chunk] = personal.ranker.recommend(
                        chunk, settings.recommend_candidates, exclude=exclude
                    )

            # chunks of half a scoring block each, alternately per thread: two at a time
            # take the memory one block took
            chunks = np.array_split(users, max(2, -(-len(users) // CANDIDATE_CHUNK)))
            later = pool.submit(rank, chunks[1::2])
            rank(chunks[0::2])
            later.result()
        lists = side.result()
    window_start = data.as_of_day - settings.recommend_novelty_days
    new_releases = np.flatnonzero(data.released_day >= window_start).astype(np.int64)
    fitted = time.perf_counter()
    manifest: dict[str, Any] = {
        "trained_at": trained_at.isoformat(),
        "as_of_day": data.as_of_day,
        "as_of": str(np.datetime64(data.as_of_day, "D")),
        "personal_ranking": personal.kind,
        "products": data.n_items,
        "customers": len(users),
        "lines": len(data.item),
        "orders": data.n_baskets,
        "categories": len(data.category_names),
        "new_releases": len(new_releases),
        "settings": {
            "category_depth": settings.recommend_category_depth,
            "candidates": settings.recommend_candidates,
            "novelty_days": settings.recommend_novelty_days,
            "consumable_categories": settings.recommend_consumable_categories,
            "reranker": settings.recommend_reranker,
            "coverage_calibration": settings.recommend_coverage_calibration,
        },
        "coverage_calibration": personal.calibration,
    }
    arrays = {
        "product_ids": data.product_ids,
        "names": np.array(data.names, dtype=np.str_),
        "item_category": data.item_category,
        "category_names": data.category_names,
        "released_day": data.released_day,
        "customer_ids": data.customer_ids,
        "candidates": candidates,
        "also_bought": lists.also_bought,
        "complements": lists.complements,
        "similarity": personal.similarity,
        "features": features,
        "trend": lists.trend,
        "segment_names": lists.segment_names,
        "segment_popular": lists.segment_popular,
        "new_releases": new_releases,
        "absorbed_ids": data.absorbed_ids,
        "absorbed_profile": data.absorbed_profile,
    }
    manifest["seconds"] = {
        "read": round(loaded - started, 3),
        "fit": round(fitted - loaded, 3),
    }
    version = write_model(settings.data_dir, arrays, manifest)
    manifest["seconds"]["total"] = round(time.perf_counter() - started, 3)
    return {**manifest, "version": version}
