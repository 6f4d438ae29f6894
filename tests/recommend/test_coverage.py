"""Coverage calibration: the smallest popularity penalty whose lists reach a catalog share."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kunde.errors import InvalidFieldError
from kunde.recommend import LearnedRanker, Popularity
from kunde.recommend._coverage import PENALTY_GRID, covered_items, smallest_penalty
from kunde.recommend._rerank_features import PENALTY_HALF_LIFE_DAYS

from .conftest import planted_lines


def _naive_coverage(cand: np.ndarray, score: np.ndarray, k: int, n_items: int) -> float:
    """Coverage from a full sort of every row (the reference, one row at a time)."""
    seen: set[int] = set()
    for row_c, row_s in zip(cand, score, strict=True):
        ok = row_c >= 0
        order = np.argsort(-row_s[ok], kind="stable")[:k]
        seen.update(row_c[ok][order].tolist())
    return len(seen) / n_items


@settings(max_examples=120, deadline=None)
@given(
    st.integers(1, 30),  # customers
    st.integers(1, 25),  # candidates per customer
    st.integers(1, 8),  # k
    st.integers(5, 60),  # catalog size
    st.floats(0.0, 1.0),  # target share
    st.integers(0, 2**32 - 1),
)
def test_smallest_penalty_is_the_first_grid_point_reaching_the_target(
    n_users: int, n_cand: int, k: int, n_items: int, target: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    cand = rng.integers(0, n_items, size=(n_users, n_cand))
    cand[rng.random(cand.shape) < 0.2] = -1  # padding
    logit = rng.normal(size=cand.shape).astype(np.float32)
    basis = rng.exponential(2.0, size=cand.shape).astype(np.float32)
    grid = np.sort(rng.choice(PENALTY_GRID, size=rng.integers(1, 8), replace=False))
    half = n_users // 2  # two blocks, as the ranker hands them over
    blocks = [(cand[:half], logit[:half], basis[:half]), (cand[half:], logit[half:], basis[half:])]
    penalty, coverage = smallest_penalty(blocks, k, n_items, target, grid)
    # duplicates in a row may take several of its k slots: the reference sees the same lists
    reference = [_naive_coverage(cand, logit - np.float32(g) * basis, k, n_items) for g in grid]
    reached = [g for g, c in zip(grid, reference, strict=True) if c >= target]
    if reached:
        assert penalty == reached[0]
        assert coverage == pytest.approx(reference[list(grid).index(reached[0])])
        assert coverage >= target
    else:
        assert coverage == pytest.approx(max(reference))
        assert penalty == grid[int(np.argmax(reference))]


def test_covered_items_marks_each_rows_top_k() -> None:
    cand = np.array([[3, 1, -1], [0, 2, 4]])
    logit = np.array([[0.5, 0.9, 5.0], [0.1, 0.2, 0.3]], dtype=np.float32)
    assert np.flatnonzero(covered_items(cand, logit, 1, 6)).tolist() == [1, 4]
    assert np.flatnonzero(covered_items(cand, logit, 5, 6)).tolist() == [0, 1, 2, 3, 4]


def test_smallest_penalty_rejects_bad_grids() -> None:
    block = [
        (np.zeros((1, 1), np.int64), np.zeros((1, 1), np.float32), np.zeros((1, 1), np.float32))
    ]
    with pytest.raises(InvalidFieldError):
        smallest_penalty(block, 1, 3, 0.5, [0.2, 0.1])
    with pytest.raises(InvalidFieldError):
        smallest_penalty(block, 1, 3, 0.5, [])
    with pytest.raises(InvalidFieldError):
        smallest_penalty(block, 0, 3, 0.5)


def test_learned_ranker_calibrates_its_penalty_to_a_coverage(rng: np.random.Generator) -> None:
    lines = planted_lines(rng, group_size=24, n_customers=400, days=150)
    inter = lines.interactions(lines.day < 120)
    model = LearnedRanker(candidates=30, label_days=30).fit(inter)
    users = np.unique(inter.profile_customer)
    exclude = inter.profile_matrix()

    def coverage() -> float:
        recs = model.recommend(users, 5, exclude=exclude)
        return len(np.unique(recs[recs >= 0])) / inter.n_items

    plain = coverage()
    assert model.calibrate_penalty(users, 5, 0.0, exclude=exclude) == pytest.approx(plain)
    assert model.popularity_penalty == 0.0
    widest = model.calibrate_penalty(users, 5, 1.01, exclude=exclude)  # out of reach
    assert widest == pytest.approx(coverage()) and widest > plain
    target = (plain + widest) / 2
    reached = model.calibrate_penalty(users, 5, target, exclude=exclude)
    assert model.popularity_penalty > 0.0
    assert reached == pytest.approx(coverage())  # the lists served are the ones calibrated
    assert reached >= target
    # the grid point before the chosen one did not reach the target
    chosen = list(PENALTY_GRID).index(model.popularity_penalty)
    model.popularity_penalty = float(PENALTY_GRID[chosen - 1])
    assert coverage() < target
    # the penalty counts recent buyers (30-day half-life), the basis the docs name
    recent = np.log1p(Popularity(PENALTY_HALF_LIFE_DAYS).fit(inter).scores_)
    np.testing.assert_allclose(model.context_.log_recent_buyers, recent, rtol=1e-6)


@pytest.mark.parametrize("k", [1, 2, 10])
def test_training_matches_the_coverage_of_the_rerankers_ease(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    from kunde._engine import recommend_train
    from kunde.recommend import text_features

    monkeypatch.setattr(recommend_train, "COVERAGE_K", k)  # short lists: a catalog to cover
    lines = planted_lines(rng, group_size=24, n_customers=400, days=150)
    inter = lines.interactions(lines.day < 150)
    features = text_features([f"product {i}" for i in range(inter.n_items)])
    plain = recommend_train.fit_personal(inter, features, reranker=True, calibrate=False)
    assert plain.calibration is None
    assert isinstance(plain.ranker, LearnedRanker) and plain.ranker.popularity_penalty == 0.0
    model = recommend_train.fit_personal(inter, features, reranker=True)
    cal = model.calibration
    assert cal is not None and isinstance(model.ranker, LearnedRanker)
    assert cal["penalty"] == model.ranker.popularity_penalty
    users = np.unique(inter.profile_customer[inter.profile_day > inter.as_of_day - 30])
    assert cal["customers"] == len(users)
    seen = inter.profile_matrix()

    def coverage(ranker: LearnedRanker) -> float:
        recs = ranker.recommend(users, k, exclude=seen)
        return len(np.unique(recs[recs >= 0])) / inter.n_items

    assert coverage(model.ranker) == pytest.approx(cal["coverage"], abs=1e-4)
    assert cal["coverage"] >= cal["ease_coverage"] - 1e-4
    if cal["penalty"] > 0:  # the unpenalised lists fell short of EASE's
        assert coverage(plain.ranker) < cal["ease_coverage"]
