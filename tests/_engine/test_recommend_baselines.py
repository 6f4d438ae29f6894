"""Baselines of ``kunde evaluate recommend`` tuned on the window before the split."""

from __future__ import annotations

from datetime import date

import numpy as np

from kunde._engine.recommend_baselines import VALIDATION_DAYS, baseline_grids, tune
from kunde._engine.recommend_data import load_data
from kunde.engine import Engine
from kunde.recommend import evaluate_lists, temporal_split

SPLIT_DAY = (date(2026, 8, 1) - date(1970, 1, 1)).days


def test_each_baseline_takes_its_best_grid_point_on_the_validation_window(
    demo_engine: Engine,
) -> None:
    data = load_data(demo_engine.store, category_depth=2)
    grids, _ = baseline_grids(data.n_items)
    grids = {name: grids[name] for name in ("popularity", "EASE")}
    chosen, how = tune(data, SPLIT_DAY, 10, grids)
    assert how.startswith(f"tuned on the {VALIDATION_DAYS} days before the split")
    val_day = SPLIT_DAY - VALIDATION_DAYS
    split = temporal_split(
        data.customer,
        data.item,
        data.day,
        data.quantity,
        data.is_gift,
        np.ones(len(data.item), dtype=bool),
        val_day,
        end_day=SPLIT_DAY,
        protocol="new",
        n_customers=data.n_customers,
        n_items=data.n_items,
    )
    inter = data.interactions(data.day < val_day, as_of_day=val_day - 1)
    for name, (grid, fit) in grids.items():
        assert chosen[name] in grid
        ndcg = {
            str(params): evaluate_lists(
                fit(params, inter)(split.users, 10, split.exclude), split.users, split.truth
            ).ndcg
            for params in grid
        }
        assert ndcg[str(chosen[name])] == max(ndcg.values())
    # the test window after the split never enters the choice: the truth ends at the split
    assert split.truth.shape == (data.n_customers, data.n_items)


def test_no_lines_before_the_validation_window_keeps_the_defaults(demo_engine: Engine) -> None:
    data = load_data(demo_engine.store, category_depth=2)
    grids, _ = baseline_grids(data.n_items)
    chosen, how = tune(data, int(data.day.min()) + 1, 10, grids)
    assert how.startswith("defaults")
    assert chosen == {name: grid[0] for name, (grid, _) in grids.items()}


def test_the_report_names_each_baselines_chosen_parameters(demo_engine: Engine) -> None:
    report = demo_engine.evaluate_recommend(date(2026, 8, 1), 10)
    models = set(report["protocols"]["new"]["models"])
    assert set(report["baseline_params"]) == models - {"kunde"}
    assert report["baseline_tuning"].startswith("tuned on")
