"""``kunde evaluate recommend``: kunde's personal ranking against baselines on a temporal split.

Every model trains once on the stored lines before ``--test-from`` and is scored under both
protocols of :func:`kunde.recommend.temporal_split` with :func:`kunde.recommend.evaluate_lists`:
"new" (truth = products new to the customer; already-bought products excluded) and "all".
Baselines in the same run: popularity and EASE always; ``implicit``'s BM25 and cosine item-item
and ALS when the optional ``bench`` extra is installed (the result says when it is not). Each
baseline picks its parameters from a small grid on the window before the split
(:mod:`kunde._engine.recommend_baselines`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from kunde._engine.recommend_baselines import Fit, Recommend, baseline_grids, tune
from kunde._engine.recommend_data import RecommendData, load_data
from kunde._engine.recommend_train import fit_personal
from kunde.config import Settings
from kunde.errors import InputError
from kunde.recommend import Interactions, evaluate_lists
from kunde.recommend import text_features as _text_features
from kunde.store import Store

__all__ = ["evaluate"]

_EPOCH = date(1970, 1, 1)


def _fitted(
    data: RecommendData,
    inter: Interactions,
    settings: Settings,
    chosen: dict[str, dict[str, Any]],
    grids: dict[str, tuple[list[dict[str, Any]], Fit]],
) -> tuple[dict[str, Recommend], dict[str, float]]:
    """kunde and every baseline (at its chosen grid point) fitted on the training lines."""
    models: dict[str, Recommend] = {}
    seconds: dict[str, float] = {}

    def timed(name: str, fit: Callable[[], Recommend]) -> None:
        t = time.perf_counter()
        models[name] = fit()
        seconds[name] = time.perf_counter() - t

    def kunde() -> Recommend:
        ranker = fit_personal(
            inter,
            _text_features(data.item_text),
            reranker=settings.recommend_reranker,
            calibrate=settings.recommend_coverage_calibration,
        ).ranker
        return lambda users, k, exclude: ranker.recommend(users, k, exclude=exclude)

    timed("kunde", kunde)
    for name, (_, fit) in grids.items():
        timed(name, lambda fit=fit, name=name: fit(chosen[name], inter))  # type: ignore[misc]
    return models, seconds


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
        ``{"test_from", "k", "window_days", "train_lines", "notes", "baseline_params":
        {name: params}, "baseline_tuning", "protocols": {protocol: {"users", "models": {name:
        metrics}, "best_baseline", "ndcg_ratio", "recall_ratio"}}}``.

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
    grids, notes = baseline_grids(data.n_items)
    chosen, how = tune(data, split_day, k, grids)
    models, seconds = _fitted(data, inter, settings, chosen, grids)
    out: dict[str, Any] = {
        "test_from": test_from.isoformat(),
        "k": k,
        "window_days": window_days,
        "train_lines": int(train_mask.sum()),
        "notes": notes,
        "baseline_params": chosen,
        "baseline_tuning": how,
        "protocols": {},
    }
    for protocol in ("new", "all"):
        split = data.split(split_day, end_day, protocol)
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
