"""``kunde evaluate recommend``: kunde's personal ranking against baselines on a temporal split.

Every model trains once on the stored lines before ``--test-from`` and is scored under both
protocols of :func:`kunde.recommend.temporal_split` with :func:`kunde.recommend.evaluate_lists`:
"new" (truth = products new to the customer; already-bought products excluded) and "all".
Baselines in the same run: popularity and EASE always; ``implicit``'s BM25 and cosine item-item
and ALS when the optional ``bench`` extra is installed (the result says when it is not).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde._engine.recommend_data import RecommendData, load_data
from kunde._engine.recommend_train import fit_personal
from kunde.config import Settings
from kunde.errors import InputError
from kunde.recommend import EASE, Interactions, Popularity, evaluate_lists, temporal_split
from kunde.recommend import text_features as _text_features
from kunde.store import Store

__all__ = ["EASE_MAX_ITEMS", "evaluate"]

EASE_MAX_ITEMS = 20_000
"""EASE inverts a products × products matrix; larger catalogs skip it."""
_EPOCH = date(1970, 1, 1)

Recommend = Callable[[NDArray[np.int64], int, sp.csr_matrix | None], NDArray[np.int64]]


def _implicit_models() -> dict[str, Callable[[], Any]] | None:
    try:
        from implicit.als import AlternatingLeastSquares
        from implicit.nearest_neighbours import BM25Recommender, CosineRecommender
    except ImportError:
        return None
    return {
        "implicit BM25": lambda: BM25Recommender(K=50, K1=1.2, B=0.75),
        "implicit cosine": lambda: CosineRecommender(K=50),
        "implicit ALS": lambda: AlternatingLeastSquares(
            factors=64, regularization=0.1, iterations=15, random_state=0
        ),
    }


def _implicit(make: Callable[[], Any], inter: Interactions) -> Recommend:
    user_items = sp.csr_matrix(
        (
            np.ones(len(inter.profile_item), np.float32),
            (inter.profile_customer, inter.profile_item),
        ),
        shape=(inter.n_customers, inter.n_items),
    )
    user_items.sum_duplicates()
    model = make()
    model.fit(user_items, show_progress=False)

    def recommend(users: NDArray[np.int64], k: int, exclude: sp.csr_matrix | None) -> Any:
        ids, scores = model.recommend(
            users, user_items[users], N=k, filter_already_liked_items=exclude is not None
        )
        ids = np.asarray(ids, dtype=np.int64)
        ids[~np.isfinite(scores)] = -1
        return ids

    return recommend


def _fitted(
    data: RecommendData, inter: Interactions, settings: Settings
) -> tuple[dict[str, Recommend], dict[str, float], list[str]]:
    """Every model fitted on the training lines, their fit times and notes."""
    models: dict[str, Recommend] = {}
    seconds: dict[str, float] = {}
    notes: list[str] = []

    def timed(name: str, fit: Callable[[], Recommend]) -> None:
        t = time.perf_counter()
        models[name] = fit()
        seconds[name] = time.perf_counter() - t

    def kunde() -> Recommend:
        ranker = fit_personal(
            inter, _text_features(data.item_text), reranker=settings.recommend_reranker
        ).ranker
        return lambda users, k, exclude: ranker.recommend(users, k, exclude=exclude)

    def native(model: Popularity | EASE) -> Recommend:
        fitted = model.fit(inter)
        return lambda users, k, exclude: fitted.recommend(users, k, exclude=exclude)

    timed("kunde", kunde)
    timed("popularity", lambda: native(Popularity(None)))
    timed("popularity 14d", lambda: native(Popularity(14.0)))
    if data.n_items <= EASE_MAX_ITEMS:
        timed("EASE", lambda: native(EASE(500.0)))
    else:
        notes.append(f"EASE skipped: more than {EASE_MAX_ITEMS:,} products")
    implicit = _implicit_models()
    if implicit is None:
        notes.append(
            "implicit baselines (BM25, cosine, ALS) skipped: install the bench extra "
            "(pip install -e '.[bench]')"
        )
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, make in implicit.items():
                timed(name, lambda make=make: _implicit(make, inter))  # type: ignore[misc]
    return models, seconds, notes


def evaluate(
    store: Store,
    settings: Settings,
    test_from: date,
    k: int = 10,
    *,
    window_days: int | None = None,
) -> dict[str, Any]:
    """Fit every model before ``test_from`` and score it on what came after.

    Returns:
        ``{"test_from", "k", "window_days", "train_lines", "notes", "protocols": {protocol:
        {"users", "models": {name: metrics}, "best_baseline", "ndcg_ratio", "recall_ratio"}}}``.

    Raises:
        InputError: no lines before ``test_from``, or no customer to evaluate after it.
    """
    data = load_data(store, settings.recommend_category_depth)
    split_day = (test_from - _EPOCH).days
    end_day = None if window_days is None else split_day + window_days
    train_mask = data.day < split_day
    if not train_mask.any():
        raise InputError(f"no lines before {test_from.isoformat()}: choose a later --test-from")
    inter = data.interactions(train_mask, as_of_day=split_day - 1)
    models, seconds, notes = _fitted(data, inter, settings)
    out: dict[str, Any] = {
        "test_from": test_from.isoformat(),
        "k": k,
        "window_days": window_days,
        "train_lines": int(train_mask.sum()),
        "notes": notes,
        "protocols": {},
    }
    for protocol in ("new", "all"):
        split = temporal_split(
            data.customer,
            data.item,
            data.day,
            data.quantity,
            data.is_gift,
            np.ones(len(data.item), dtype=bool),
            split_day,
            end_day=end_day,
            protocol=protocol,
            n_customers=data.n_customers,
            n_items=data.n_items,
        )
        if len(split.users) == 0:
            raise InputError(
                f"no customer with a history bought anything after {test_from.isoformat()}: "
                "choose an earlier --test-from"
            )
        buyers = np.diff(split.seen.tocsc().indptr).astype(np.float64)
        share = buyers / max(int((np.diff(split.seen.indptr) > 0).sum()), 1)
        rows: dict[str, dict[str, float]] = {}
        for name, recommend in models.items():
            recs = recommend(split.users, k, split.exclude)
            metrics = evaluate_lists(
                recs,
                split.users,
                split.truth,
                item_category=data.item_category,
                item_popularity=share,
            ).as_dict()
            rows[name] = {**metrics, "fit_s": round(seconds[name], 3)}
        baselines = [n for n in rows if n != "kunde"]
        best = max(baselines, key=lambda n: rows[n]["ndcg"])
        best_ndcg = rows[best]["ndcg"]
        best_recall = max(rows[n]["recall"] for n in baselines)
        out["protocols"][protocol] = {
            "users": len(split.users),
            "models": rows,
            "best_baseline": best,
            "ndcg_ratio": rows["kunde"]["ndcg"] / best_ndcg if best_ndcg else None,
            "recall_ratio": rows["kunde"]["recall"] / best_recall if best_recall else None,
        }
    return out
