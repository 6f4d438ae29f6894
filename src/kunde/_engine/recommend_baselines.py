"""The baselines of ``kunde evaluate recommend``, each tuned on a window before the split.

Every baseline gets a small grid of its main parameters (issue 3: "a fair small grid"). The
grid point is chosen on a validation split one window earlier - trained on the lines before
``split_day - VALIDATION_DAYS``, scored by NDCG@k on the products new to the customer in the
``VALIDATION_DAYS`` before the split - then refitted on every training line. The test window
is never looked at to choose. kunde itself runs with the shop's settings, whose defaults were
chosen the same way on Online Retail (``bench/recommend_eval.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde._engine.recommend_data import RecommendData
from kunde.recommend import EASE, Interactions, Popularity, evaluate_lists

__all__ = ["EASE_MAX_ITEMS", "VALIDATION_DAYS", "Recommend", "baseline_grids", "tune"]

EASE_MAX_ITEMS = 20_000
"""EASE inverts a products × products matrix; larger catalogs skip it."""
VALIDATION_DAYS = 30
"""Length of the validation window right before the split."""

Recommend = Callable[[NDArray[np.int64], int, sp.csr_matrix | None], NDArray[np.int64]]
Params = dict[str, Any]
Fit = Callable[[Params, Interactions], Recommend]


def _native(make: Callable[[Params], Popularity | EASE]) -> Fit:
    def fit(params: Params, inter: Interactions) -> Recommend:
        model = make(params).fit(inter)
        return lambda users, k, exclude: model.recommend(users, k, exclude=exclude)

    return fit


def _implicit(make: Callable[[Params], Any]) -> Fit:
    def fit(params: Params, inter: Interactions) -> Recommend:
        user_items = sp.csr_matrix(
            (
                np.ones(len(inter.profile_item), np.float32),
                (inter.profile_customer, inter.profile_item),
            ),
            shape=(inter.n_customers, inter.n_items),
        )
        user_items.sum_duplicates()
        with warnings.catch_warnings():  # implicit warns about BLAS threads and CSR input
            warnings.simplefilter("ignore")
            model = make(params)
            model.fit(user_items, show_progress=False)

        def recommend(users: NDArray[np.int64], k: int, exclude: sp.csr_matrix | None) -> Any:
            ids, scores = model.recommend(
                users, user_items[users], N=k, filter_already_liked_items=exclude is not None
            )
            ids = np.asarray(ids, dtype=np.int64)
            ids[~np.isfinite(scores)] = -1
            return ids

        return recommend

    return fit


def baseline_grids(n_items: int) -> tuple[dict[str, tuple[list[Params], Fit]], list[str]]:
    """Each baseline's grid (its first point is the default) and fit; notes on skipped ones."""
    notes: list[str] = []
    out: dict[str, tuple[list[Params], Fit]] = {
        "popularity": (
            [{"half_life_days": h} for h in (None, 14.0, 30.0)],
            _native(lambda p: Popularity(p["half_life_days"])),
        ),
    }
    if n_items <= EASE_MAX_ITEMS:
        out["EASE"] = (
            [{"l2": v} for v in (500.0, 100.0, 2000.0)],
            _native(lambda p: EASE(p["l2"])),
        )
    else:
        notes.append(f"EASE skipped: more than {EASE_MAX_ITEMS:,} products")
    try:
        from implicit.als import AlternatingLeastSquares
        from implicit.nearest_neighbours import BM25Recommender, CosineRecommender
    except ImportError:
        notes.append(
            "implicit baselines (BM25, cosine, ALS) skipped: install the bench extra "
            "(pip install -e '.[bench]')"
        )
        return out, notes
    out["implicit BM25"] = (
        [{"K": k, "K1": k1, "B": 0.75} for k in (50, 20, 100) for k1 in (1.2, 0.6)],
        _implicit(lambda p: BM25Recommender(**p)),
    )
    out["implicit cosine"] = (
        [{"K": k} for k in (50, 20, 100)],
        _implicit(lambda p: CosineRecommender(**p)),
    )
    out["implicit ALS"] = (
        [
            {"factors": f, "regularization": r}
            for f, r in ((64, 0.1), (32, 0.1), (64, 0.01), (128, 0.1))
        ],
        _implicit(
            lambda p: AlternatingLeastSquares(**p, iterations=15, random_state=0),
        ),
    )
    return out, notes


def tune(
    data: RecommendData,
    split_day: int,
    k: int,
    grids: dict[str, tuple[list[Params], Fit]],
) -> tuple[dict[str, Params], str]:
    """The grid point of each baseline with the best validation NDCG@k, and how it was chosen.

    Falls back to each grid's first point when the window before the split has no lines
    before it or no customer who bought something new in it.
    """
    defaults = {name: grid[0] for name, (grid, _) in grids.items()}
    val_day = split_day - VALIDATION_DAYS
    mask = data.day < val_day
    if not mask.any():
        return defaults, "defaults: no lines before the validation window"
    split = data.split(val_day, split_day, "new")
    if len(split.users) == 0:
        return defaults, "defaults: no customer bought something new in the validation window"
    inter = data.interactions(mask, as_of_day=val_day - 1)
    chosen: dict[str, Params] = {}
    for name, (grid, fit) in grids.items():  # a few grid points per baseline
        ndcg = [
            evaluate_lists(
                fit(params, inter)(split.users, k, split.exclude), split.users, split.truth
            ).ndcg
            for params in grid
        ]
        chosen[name] = grid[int(np.argmax(ndcg))]
    return chosen, (
        f"tuned on the {VALIDATION_DAYS} days before the split "
        f"({len(split.users):,} customers, NDCG@{k}, products new to the customer)"
    )
