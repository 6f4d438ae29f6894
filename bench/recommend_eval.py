"""Offline evaluation of kunde's recommendations on UCI Online Retail against open-source baselines.

Data: UCI Online Retail, Daqing Chen, CC BY 4.0 (doi:10.24432/C5BW33), read from
``../shared/data/online-retail/online_retail.csv.gz``.

Protocol ("new to the customer", k=10): for each test split date T the models train on every
line before T and are scored on what customers bought in [T, T + window) that they had never
bought before; already-bought products are excluded from the lists. Every model - kunde and each
baseline - chooses its parameters from a small grid on a validation split one window earlier
(train before T - window, truth in [T - window, T)); the chosen parameters are then refitted on
everything before T. The grid point that would have been best on the test window itself is
reported beside it ("oracle") for the baselines, so that the comparison does not hinge on tuning.

Also times kunde's training from the raw line arrays (filtering, matrices, text features, all
three scorers) against implicit's BM25 item-item fit including building its matrix from the same
arrays, on all lines, median of repeated runs from the same process.

Usage: ``.venv/bin/python bench/recommend_eval.py [--quick] [--splits 2011-09-01,...]``
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _online_retail as retail
from _machine import RESULTS, machine, write_result
from kunde.recommend import (
    EASE,
    Complements,
    Interactions,
    ItemKNN,
    LearnedRanker,
    PersonalRanker,
    PersonalRankerConfig,
    Popularity,
    TemporalSplit,
    build_interactions,
    evaluate_lists,
    temporal_split,
    text_features,
    top_k_rows,
)

K = 10
Params = dict[str, Any]


# --- models under test ---------------------------------------------------------------------


class ImplicitModel:
    """An ``implicit`` recommender trained on the customer × product line-count matrix."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def fit(self, inter: Interactions) -> ImplicitModel:
        self.user_items = implicit_matrix(inter)
        self.model = self.make()
        self.model.fit(self.user_items, show_progress=False)
        return self

    def recommend(self, users: np.ndarray, k: int, exclude: sp.csr_matrix | None) -> np.ndarray:
        ids, scores = self.model.recommend(
            users, self.user_items[users], N=k, filter_already_liked_items=exclude is not None
        )
        ids = np.asarray(ids, dtype=np.int64)
        ids[~np.isfinite(scores)] = -1
        return ids


def implicit_matrix(inter: Interactions) -> sp.csr_matrix:
    m = sp.csr_matrix(
        (
            np.ones(len(inter.profile_item), np.float32),
            (inter.profile_customer, inter.profile_item),
        ),
        shape=(inter.n_customers, inter.n_items),
    )
    m.sum_duplicates()
    return m


class Native:
    """A kunde model (EASE, Popularity) behind the common fit/recommend calls."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def fit(self, inter: Interactions) -> Native:
        self.model = self.make().fit(inter)
        return self

    def recommend(self, users: np.ndarray, k: int, exclude: sp.csr_matrix | None) -> np.ndarray:
        return self.model.recommend(users, k, exclude=exclude)


def baseline_grids(quick: bool) -> dict[str, tuple[list[Params], Callable[[Params], Any]]]:
    from implicit.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

    def grid(**axes: Iterable[Any]) -> list[Params]:
        keys = list(axes)
        return [dict(zip(keys, v, strict=True)) for v in itertools.product(*axes.values())]

    if quick:
        return {
            "popularity": (
                grid(half_life_days=[None, 14]),
                lambda p: Native(lambda: Popularity(**p)),
            ),
            "implicit BM25": (
                grid(K=[50], K1=[1.2], B=[0.75]),
                lambda p: ImplicitModel(lambda: BM25Recommender(**p)),
            ),
            "EASE": (grid(l2=[500.0]), lambda p: Native(lambda: EASE(**p))),
        }
    return {
        "popularity": (
            grid(half_life_days=[None, 7, 14, 30, 60]),
            lambda p: Native(lambda: Popularity(**p)),
        ),
        "implicit BM25": (
            grid(K=[20, 50, 100, 200], K1=[0.6, 1.2, 2.0], B=[0.5, 0.75, 1.0]),
            lambda p: ImplicitModel(lambda: BM25Recommender(**p)),
        ),
        "implicit cosine": (
            grid(K=[20, 50, 100, 200]),
            lambda p: ImplicitModel(lambda: CosineRecommender(**p)),
        ),
        "implicit ALS": (
            grid(factors=[32, 64, 128], regularization=[0.01, 0.1], alpha=[1.0, 10.0]),
            lambda p: ImplicitModel(
                lambda: AlternatingLeastSquares(iterations=15, random_state=0, **p)
            ),
        ),
        "EASE": (
            grid(l2=[50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0]),
            lambda p: Native(lambda: EASE(**p)),
        ),
    }


def learned_grid(quick: bool, rule: str = "calibrated") -> list[Params]:
    """Grid of kunde's learned re-ranker (the penalty acts at serving: one fit serves all).

    Under the "calibrated" rule the popularity penalty is no grid axis: each fit sets it with
    ``LearnedRanker.calibrate_penalty`` (see :func:`coverage_target`).
    """
    powers, eases = ((1.0,), (1.0,)) if quick else ((0.5, 1.0), (0.5, 1.0))
    penalties: tuple[float | None, ...] = (None,)
    if rule == "grid":
        penalties = (0.1,) if quick else (0.0, 0.1, 0.2, 0.3, 0.4, 0.6)
    return [
        {"candidates": 200, "truth_weight_power": p, "ease_weight": e, "popularity_penalty": g}
        for p in powers
        for e in eases
        for g in penalties
    ]


def grouped(grid: list[Params], *keys: str) -> list[tuple[tuple[Any, ...], list[Params]]]:
    """Grid points grouped by the values of ``keys`` (sorted), so each group fits one model."""
    groups: dict[tuple[Any, ...], list[Params]] = {}
    for p in grid:
        groups.setdefault(tuple(p[k] for k in keys), []).append(p)
    return sorted(groups.items(), key=lambda kv: kv[0])


RECENT_DAYS = 30
"""The calibration serves the customers who bought in this many days before the fit."""


@dataclasses.dataclass
class Target:
    """What the calibrated penalty must reach at one fold's origin (no later line needed)."""

    users: np.ndarray
    coverage: float
    baseline: str

    def record(self, model: LearnedRanker, reached: float) -> dict[str, Any]:
        return {
            "customers": len(self.users),
            "baseline": self.baseline,
            "baseline_coverage": self.coverage,
            "kunde_coverage": reached,
            "penalty": model.popularity_penalty,
        }


def coverage_target(
    fold: Fold, name: str, make: Callable[[Params], Any], params: Params, lines: retail.Lines
) -> Target:
    """The coverage of the chosen baseline's lists for the recently active customers.

    The customers who bought in the ``RECENT_DAYS`` before the fold's split stand in for
    those the lists are about to serve; coverage depends on the lists only, so this is known
    when the models are fitted. (On the three validation folds this population kept kunde's
    window coverage above the baseline's, and all customers with a history did not.)
    """
    inter = fold.inter
    users = np.unique(inter.profile_customer[inter.profile_day > inter.as_of_day - RECENT_DAYS])
    recs = make(params).fit(inter).recommend(users, K, fold.split.seen)
    valid = recs[recs >= 0]
    return Target(users, len(np.unique(valid)) / lines.n_items, name)


def _serve(model: LearnedRanker, p: Params, fold: Fold, target: Target | None) -> dict[str, Any]:
    if p["popularity_penalty"] is not None or target is None:
        model.popularity_penalty = p["popularity_penalty"] or 0.0
        return {}
    reached = model.calibrate_penalty(target.users, K, target.coverage, exclude=fold.split.seen)
    return {"calibration": target.record(model, reached)}


def sweep_learned(
    fold: Fold,
    grid: list[Params],
    features: sp.csr_matrix,
    lines: retail.Lines,
    target: Target | None = None,
    config: PersonalRankerConfig | None = None,
) -> list[tuple[Params, dict[str, Any]]]:
    out: list[tuple[Params, dict[str, Any]]] = []
    fit_keys = sorted(k for k in grid[0] if k != "popularity_penalty")
    for values, points in grouped(grid, *fit_keys):
        model = LearnedRanker(config, **dict(zip(fit_keys, values, strict=True)))
        model.fit(fold.inter, features)
        for p in points:
            extra = _serve(model, p, fold, target)
            recs = model.recommend(fold.split.users, K, exclude=fold.split.exclude)
            out.append((p, {**score(fold, recs, lines), **extra}))
    return out


def learned_test(
    fold: Fold,
    params: Params,
    features: sp.csr_matrix,
    lines: retail.Lines,
    target: Target | None = None,
    config: PersonalRankerConfig | None = None,
) -> dict[str, Any]:
    t = time.perf_counter()
    fit_params = {k: v for k, v in params.items() if k != "popularity_penalty"}
    model = LearnedRanker(config, **fit_params).fit(fold.inter, features)
    fit_s = time.perf_counter() - t
    extra = _serve(model, params, fold, target)
    recs = model.recommend(fold.split.users, K, exclude=fold.split.exclude)
    return {**score(fold, recs, lines), "fit_s": fit_s, **extra}


def kunde_grid(quick: bool) -> list[Params]:
    """Grid of kunde's blend weighting, chosen on the validation split like every baseline's."""
    axes: dict[str, list[Any]] = {
        "neighbours": [20, 50],
        "content_weight": [0.0, 0.5, 1.0],
        "customer_weight": [0.0, 0.3, 0.6],
        "trend_weight": [0.0, 0.1, 0.2],
    }
    if quick:
        axes = {
            "neighbours": [20],
            "content_weight": [1.0],
            "customer_weight": [0.3],
            "trend_weight": [0.1],
        }
    keys = list(axes)
    return [dict(zip(keys, v, strict=True)) for v in itertools.product(*axes.values())]


# --- evaluation plumbing -------------------------------------------------------------------


@dataclasses.dataclass
class Fold:
    split: TemporalSplit
    inter: Interactions
    popularity: np.ndarray


def make_fold(lines: retail.Lines, split_day: int, end_day: int) -> Fold:
    s = temporal_split(
        lines.customer,
        lines.item,
        lines.day,
        lines.quantity,
        lines.is_gift,
        lines.kind,
        split_day,
        end_day=end_day,
        protocol="new",
        n_customers=lines.n_customers,
        n_items=lines.n_items,
    )
    m = s.train_mask
    inter = build_interactions(
        lines.customer[m],
        lines.basket[m],
        lines.item[m],
        lines.day[m],
        lines.quantity[m],
        lines.is_gift[m],
        lines.kind[m],
        n_customers=lines.n_customers,
        n_baskets=lines.n_baskets,
        n_items=lines.n_items,
        as_of_day=split_day - 1,
    )
    buyers = np.diff(s.seen.tocsc().indptr).astype(np.float64)
    n_buyers = max(int((np.diff(s.seen.indptr) > 0).sum()), 1)
    return Fold(s, inter, buyers / n_buyers)


def score(fold: Fold, recs: np.ndarray, lines: retail.Lines) -> dict[str, float]:
    return evaluate_lists(
        recs,
        fold.split.users,
        fold.split.truth,
        item_category=lines.item_category,
        item_popularity=fold.popularity,
    ).as_dict()


def run_baseline(
    fold: Fold, make: Callable[[Params], Any], params: Params, lines: retail.Lines
) -> dict[str, float]:
    t = time.perf_counter()
    model = make(params).fit(fold.inter)
    fit_s = time.perf_counter() - t
    recs = model.recommend(fold.split.users, K, fold.split.exclude)
    return {**score(fold, recs, lines), "fit_s": fit_s}


class Cached:
    """Precomputed scores of the evaluated customers (to sweep blend weights cheaply)."""

    def __init__(self, users: np.ndarray, scores: np.ndarray) -> None:
        self.order = np.argsort(users)
        self.sorted = users[self.order]
        self.scores = scores

    def score(self, users: np.ndarray) -> np.ndarray:
        return self.scores[self.order[np.searchsorted(self.sorted, users)]]


def kunde_config(p: Params) -> PersonalRankerConfig:
    return PersonalRankerConfig(**p)


def sweep_kunde(
    fold: Fold, grid: list[Params], features: sp.csr_matrix, lines: retail.Lines
) -> list[tuple[Params, dict[str, float]]]:
    """Every kunde grid point on one fold; item neighbours are fitted once per structural key."""
    from kunde.recommend import Blend

    users = fold.split.users
    out: list[tuple[Params, dict[str, float]]] = []
    base = PersonalRanker(kunde_config({"content_weight": 0.0})).fit(fold.inter, None)
    cust = Cached(users, base.customer_knn_.score(users))
    trend = Cached(users, base.trend_.score(users))
    for (neighbours, cw), points in grouped(grid, "neighbours", "content_weight"):
        ranker = PersonalRanker(kunde_config({"neighbours": neighbours, "content_weight": cw}))
        ranker.fit(fold.inter, features if cw else None)
        item = Cached(users, ranker.item_knn_.score(users))
        for p in points:
            blend = Blend([item, cust, trend], [1.0, p["customer_weight"], p["trend_weight"]])
            recs = top_k_rows(blend.score, users, K, exclude=fold.split.exclude)[0]
            out.append((p, score(fold, recs, lines)))
    return out


def kunde_test(
    fold: Fold, params: Params, features: sp.csr_matrix, lines: retail.Lines
) -> dict[str, float]:
    t = time.perf_counter()
    ranker = PersonalRanker(kunde_config(params)).fit(
        fold.inter, features if params["content_weight"] else None
    )
    fit_s = time.perf_counter() - t
    recs = ranker.recommend(fold.split.users, K, exclude=fold.split.exclude)
    return {**score(fold, recs, lines), "fit_s": fit_s}


def best(
    results: list[tuple[Params, dict[str, Any]]], min_coverage: float = 0.0
) -> tuple[Params, dict[str, Any]]:
    """Selection rule for every model: highest NDCG@10, recall breaks ties.

    kunde's grid points must also reach ``min_coverage`` on validation (the catalog coverage of
    the best baseline there) - the issue asks for coverage at least the baseline's; when no
    point reaches it the rule falls back to the plain maximum.
    """
    ok = [r for r in results if r[1]["coverage"] >= min_coverage] or results
    return max(ok, key=lambda r: (r[1]["ndcg"], r[1]["recall"]))


# --- timing --------------------------------------------------------------------------------


def time_training(lines: retail.Lines, repeats: int, bm25_params: Params) -> dict[str, Any]:
    """Whole training of the personal feed against implicit BM25 (matrix + fit), per stage.

    kunde: the filtered interactions from the raw line arrays, the text features and the
    learned ranker (hold-out base models, training pairs, logistic regression, base models
    on all lines) - everything the personal feed needs. The also-bought neighbours and the
    complements are timed beside it (not in the ratio: implicit's fit has no counterpart).
    """
    from implicit.nearest_neighbours import BM25Recommender

    def interactions() -> Interactions:
        return build_interactions(
            lines.customer,
            lines.basket,
            lines.item,
            lines.day,
            lines.quantity,
            lines.is_gift,
            lines.kind,
            n_customers=lines.n_customers,
            n_baskets=lines.n_baskets,
            n_items=lines.n_items,
        )

    def kunde_train() -> dict[str, float]:
        t0 = time.perf_counter()
        inter = interactions()
        t1 = time.perf_counter()
        features = text_features(lines.item_text)
        t2 = time.perf_counter()
        model = LearnedRanker().fit(inter, features)
        return {"interactions": t1 - t0, "text features": t2 - t1, **model.fit_seconds_}

    def blend_train() -> dict[str, float]:
        PersonalRanker().fit(interactions(), text_features(lines.item_text))
        return {}

    def serving_extras() -> dict[str, float]:
        inter = interactions()
        t0 = time.perf_counter()
        ItemKNN().fit(inter)
        t1 = time.perf_counter()
        Complements().fit(inter, lines.item_category)
        return {"also-bought": t1 - t0, "complements": time.perf_counter() - t1}

    def implicit_train() -> dict[str, float]:
        t0 = time.perf_counter()
        own = (
            (lines.kind == "product")
            & (lines.quantity > 0)
            & (lines.customer >= 0)
            & ~lines.is_gift
        )
        m = sp.csr_matrix(
            (np.ones(int(own.sum()), np.float32), (lines.customer[own], lines.item[own])),
            shape=(lines.n_customers, lines.n_items),
        )
        t1 = time.perf_counter()
        BM25Recommender(**bm25_params).fit(m, show_progress=False)
        return {"matrix": t1 - t0, "fit": time.perf_counter() - t1}

    runs = {"kunde": kunde_train, "blend": blend_train, "implicit": implicit_train}
    for fn in runs.values():
        fn()  # warm-up (imports, caches)
    totals: dict[str, list[float]] = {name: [] for name in runs}
    stages: dict[str, list[dict[str, float]]] = {name: [] for name in runs}
    extras: list[dict[str, float]] = []
    for _ in range(repeats):
        for name, fn in runs.items():
            t = time.perf_counter()
            laps = fn()
            totals[name].append(time.perf_counter() - t)
            stages[name].append(laps)
        extras.append(serving_extras())

    def median_stages(rows: list[dict[str, float]]) -> dict[str, float]:
        return {key: statistics.median(r[key] for r in rows) for key in rows[0]} if rows else {}

    k_med = statistics.median(totals["kunde"])
    b_med = statistics.median(totals["blend"])
    i_med = statistics.median(totals["implicit"])
    return {
        "kunde_s": k_med,
        "kunde_blend_s": b_med,
        "implicit_bm25_s": i_med,
        "ratio": k_med / i_med,
        "blend_ratio": b_med / i_med,
        "kunde_stages_s": median_stages(stages["kunde"]),
        "implicit_stages_s": median_stages(stages["implicit"]),
        "not_in_ratio_s": median_stages(extras),
        "repeats": repeats,
    }


# --- main ----------------------------------------------------------------------------------


def run_machine() -> dict[str, Any]:
    """The shared machine record plus the load at start (other work skews the timings)."""
    return {**machine("pyarrow", "implicit"), "load_avg_at_start": os.getloadavg()[0]}


def fmt(x: float) -> str:
    return f"{x:.4f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--splits", default="2011-09-01,2011-10-01,2011-11-01")
    ap.add_argument("--window", type=int, default=30, help="test and validation window, days")
    ap.add_argument("--quick", action="store_true", help="one grid point per model")
    ap.add_argument(
        "--penalty-rule",
        choices=("calibrated", "grid"),
        default="calibrated",
        help="kunde's popularity penalty: calibrated at each fit to the chosen baseline's "
        "coverage of the recently active customers (default), or a grid axis chosen on "
        "validation (the rule of the runs before 2026-12-05 17:00 UTC)",
    )
    ap.add_argument("--repeats", type=int, default=7, help="timing repeats")
    ap.add_argument(
        "--timing-only",
        action="store_true",
        help="only re-run the training-time comparison and update it in the existing JSON",
    )
    ap.add_argument(
        "--kunde-only",
        action="store_true",
        help="re-run kunde's rows and the timing, keeping the baseline rows of the existing "
        "JSON (for changes to kunde only: the baselines' code and inputs are unchanged)",
    )
    ap.add_argument(
        "--skip-timing",
        action="store_true",
        help="keep the training-time block of the existing JSON (accuracy runs only)",
    )
    args = ap.parse_args()
    warnings.filterwarnings("ignore", module="implicit")

    lines = retail.load()
    features = text_features(lines.item_text)
    grids = baseline_grids(args.quick)
    kgrid = kunde_grid(args.quick)
    lgrid = learned_grid(args.quick, args.penalty_rule)
    out = RESULTS / ("recommend_eval_quick.json" if args.quick else "recommend_eval.json")
    report: dict[str, Any] = {
        "credit": retail.CREDIT,
        "k": K,
        "protocol": "new",
        "window_days": args.window,
        "penalty_rule": args.penalty_rule,
        "machine": run_machine(),
        "splits": [],
    }
    if args.timing_only and out.exists():
        report = {**json.loads(out.read_text()), "machine": run_machine()}
    previous = json.loads(out.read_text()) if args.kunde_only or args.skip_timing else {}
    if args.kunde_only:
        report["baselines_from"] = previous.get("baselines_from", previous["machine"])
    print(f"# Online Retail, 'new to the customer', k={K}  ({retail.CREDIT})")
    for date in [] if args.timing_only else args.splits.split(","):
        t0 = time.perf_counter()
        test_day = retail.day_of(date)
        val = make_fold(lines, test_day - args.window, test_day)
        test = make_fold(lines, test_day, test_day + args.window)
        rows: dict[str, dict[str, Any]] = {}
        val_best: dict[str, dict[str, float]] = {}
        if args.kunde_only:
            kept = next(s for s in previous["splits"] if s["test_from"] == date)
            rows = {n: m for n, m in kept["models"].items() if not n.startswith("kunde")}
            val_best = kept["baselines_on_validation"]
        for name, (points, make) in ({} if args.kunde_only else grids).items():
            on_val = [(p, run_baseline(val, make, p, lines)) for p in points]
            chosen, val_best[name] = best(on_val)
            on_test = [(p, run_baseline(test, make, p, lines)) for p in points]
            tuned = next(m for p, m in on_test if p == chosen)
            oracle_p, oracle = best(on_test)
            rows[name] = {
                "params": chosen,
                "test": tuned,
                "oracle_params": oracle_p,
                "oracle": oracle,
            }
        top_val = max(val_best.values(), key=lambda m: m["ndcg"])
        k_val = sweep_kunde(val, kgrid, features, lines)
        report_val = {n: {k: v for k, v in m.items() if k != "fit_s"} for n, m in val_best.items()}
        k_chosen, k_val_best = best(k_val, top_val["coverage"])
        rows["kunde blend"] = {
            "params": k_chosen,
            "validation": k_val_best,
            "test": kunde_test(test, k_chosen, features, lines),
        }
        top_name = max(val_best, key=lambda n: val_best[n]["ndcg"])
        targets: tuple[Target | None, Target | None] = (None, None)
        if args.penalty_rule == "calibrated":
            make, params = grids[top_name][1], rows[top_name]["params"]
            targets = (
                coverage_target(val, top_name, make, params, lines),
                coverage_target(test, top_name, make, params, lines),
            )
        l_val = sweep_learned(val, lgrid, features, lines, targets[0])
        l_chosen, l_val_best = best(l_val, top_val["coverage"])
        rows["kunde"] = {
            "params": l_chosen,
            "validation": l_val_best,
            "test": learned_test(test, l_chosen, features, lines, targets[1]),
            "validation_grid": [{**p, **m} for p, m in l_val],
        }
        baselines = [n for n in rows if not n.startswith("kunde")]
        best_recall = max(rows[n]["test"]["recall"] for n in baselines)
        best_ndcg_name = max(baselines, key=lambda n: rows[n]["test"]["ndcg"])
        best_ndcg = rows[best_ndcg_name]["test"]["ndcg"]
        oracle_recall = max(rows[n]["oracle"]["recall"] for n in baselines)
        oracle_ndcg = max(rows[n]["oracle"]["ndcg"] for n in baselines)
        kt = rows["kunde"]["test"]
        summary = {
            "recall_ratio": kt["recall"] / best_recall,
            "ndcg_ratio": kt["ndcg"] / best_ndcg,
            "recall_ratio_vs_oracle": kt["recall"] / oracle_recall,
            "ndcg_ratio_vs_oracle": kt["ndcg"] / oracle_ndcg,
            "coverage_vs_best_ndcg_baseline": kt["coverage"]
            / rows[best_ndcg_name]["test"]["coverage"],
            "best_ndcg_baseline": best_ndcg_name,
        }
        kb = rows["kunde blend"]["test"]
        summary["blend_recall_ratio"] = kb["recall"] / best_recall
        summary["blend_ndcg_ratio"] = kb["ndcg"] / best_ndcg
        report["splits"].append(
            {
                "test_from": date,
                "users": int(kt["users"]),
                "models": rows,
                "baselines_on_validation": report_val,
                "summary": summary,
            }
        )
        print(
            f"\n## test from {date} ({int(kt['users'])} customers; validation from "
            f"{test_day - args.window} days after 2010-12-01; {time.perf_counter() - t0:.0f}s)"
        )
        print(
            f"{'model':16s} {'recall@10':>9s} {'ndcg@10':>8s} {'prec@10':>8s} {'coverage':>8s} "
            f"{'ILD':>6s} {'novelty':>7s} {'fit s':>6s} | {'oracle R':>8s} {'oracle N':>8s}  "
            "params (chosen on validation)"
        )
        for name, r in rows.items():
            t = r["test"]
            orc = r.get("oracle", {})
            print(
                f"{name:16s} {fmt(t['recall']):>9s} {fmt(t['ndcg']):>8s} "
                f"{fmt(t['precision']):>8s} {t['coverage']:8.3f} {t['diversity']:6.3f} "
                f"{t['novelty']:7.2f} {t['fit_s']:6.2f} | "
                f"{fmt(orc['recall']) if orc else '':>8s} {fmt(orc['ndcg']) if orc else '':>8s}  "
                f"{json.dumps(r['params'])}"
            )
        print(
            f"kunde / best tuned baseline: recall x{summary['recall_ratio']:.3f}, "
            f"ndcg x{summary['ndcg_ratio']:.3f} (best ndcg: {best_ndcg_name}); vs oracle-tuned: "
            f"recall x{summary['recall_ratio_vs_oracle']:.3f}, "
            f"ndcg x{summary['ndcg_ratio_vs_oracle']:.3f}; "
            f"coverage x{summary['coverage_vs_best_ndcg_baseline']:.2f}"
        )
        print(
            "kunde blend (no re-ranker) / best tuned baseline: "
            f"recall x{summary['blend_recall_ratio']:.3f}, "
            f"ndcg x{summary['blend_ndcg_ratio']:.3f}"
        )

    if args.skip_timing and "training_time" in previous:
        report["training_time"] = previous["training_time"]
    else:
        bm25_params = {"K": 50, "K1": 1.2, "B": 0.75}
        timing = time_training(lines, 3 if args.quick else args.repeats, bm25_params)
        report["training_time"] = {
            **timing,
            "implicit_bm25_params": bm25_params,
            "lines": len(lines.item),
        }
        print(
            f"\n## training time on all {len(lines.item):,} lines (median of {timing['repeats']})"
        )
        print(f"implicit BM25 fit incl. matrix {timing['implicit_bm25_s']:.3f}s")
        for stage, sec in timing["implicit_stages_s"].items():
            print(f"    {stage:24s} {sec:.3f}s")
        print(
            f"kunde train, personal feed (interactions + text + learned ranker) "
            f"{timing['kunde_s']:.3f}s | ratio {timing['ratio']:.2f}"
        )
        for stage, sec in timing["kunde_stages_s"].items():
            print(f"    {stage:24s} {sec:.3f}s")
        print(
            f"kunde train, blend only (interactions + text + 3 scorers) "
            f"{timing['kunde_blend_s']:.3f}s | ratio {timing['blend_ratio']:.2f}"
        )
        for stage, sec in timing["not_in_ratio_s"].items():
            print(f"not in the ratio: {stage:24s} {sec:.3f}s")
    print(f"\nmachine: {json.dumps(report['machine'])}")
    print(f"written {write_result(out.stem, report)}")


if __name__ == "__main__":
    main()
