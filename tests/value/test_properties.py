"""Hypothesis properties of the purchase models."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kunde.value import BGNBD, MBGNBD, ParetoNBD


@st.composite
def histories(draw: st.DrawFn, max_size: int = 30) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, max_size))
    T = np.array(draw(st.lists(st.floats(0.1, 400.0), min_size=n, max_size=n)))
    share = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    x = np.array(draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n)), dtype=float)
    t_x = np.where(x > 0, np.maximum(share * T, 1e-3), 0.0)
    return x, t_x, np.maximum(T, t_x)


def _model(kind: str, params: tuple[float, float, float, float]):
    cls = {"bgnbd": BGNBD, "mbgnbd": MBGNBD, "pareto_nbd": ParetoNBD}[kind]
    model = cls()
    model.params_ = dict(zip(cls.param_names, params, strict=True))
    return model


positive = st.floats(0.05, 20.0)
param_sets = st.tuples(positive, positive, positive, positive)
kinds = st.sampled_from(["bgnbd", "mbgnbd", "pareto_nbd"])


@settings(max_examples=60, deadline=None)
@given(kind=kinds, params=param_sets, history=histories())
def test_p_alive_is_a_probability(kind, params, history) -> None:
    p = _model(kind, params).conditional_probability_alive(*history)
    assert np.all(np.isfinite(p))
    assert np.all((p >= 0) & (p <= 1))


@settings(max_examples=40, deadline=None)
@given(params=param_sets, T=st.lists(st.floats(0.0, 400.0), min_size=1, max_size=20))
def test_bgnbd_customers_without_repeat_purchases_are_alive(params, T) -> None:
    T = np.array(T)
    zeros = np.zeros_like(T)
    p = _model("bgnbd", params).conditional_probability_alive(zeros, zeros, T)
    np.testing.assert_array_equal(p, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    kind=kinds,
    params=param_sets,
    history=histories(),
    horizons=st.lists(st.floats(0.0, 500.0), min_size=2, max_size=6),
)
def test_expected_purchases_grow_with_the_horizon(kind, params, history, horizons) -> None:
    model = _model(kind, params)
    predictions = [model.conditional_expected_purchases(t, *history) for t in sorted(horizons)]
    for earlier, later in pairwise(predictions):
        assert np.all(np.isfinite(later))
        assert np.all(later >= earlier - 1e-9 * (1 + np.abs(earlier)))


@settings(max_examples=8, deadline=None)
@given(
    kind=st.sampled_from(["bgnbd", "pareto_nbd"]),
    counts=st.lists(st.integers(1, 4), min_size=200, max_size=200),
)
def test_weights_equal_duplicated_rows(cdnow, kind, counts) -> None:
    cls = {"bgnbd": BGNBD, "pareto_nbd": ParetoNBD}[kind]
    idx = np.arange(0, cdnow.x.size, cdnow.x.size // 200)[:200]
    x, t_x, T = cdnow.x[idx], cdnow.t_x[idx], cdnow.T[idx]
    w = np.array(counts, dtype=float)
    weighted = cls().fit(x, t_x, T, weights=w)
    reps = np.array(counts)
    expanded = cls().fit(np.repeat(x, reps), np.repeat(t_x, reps), np.repeat(T, reps))
    for name in cls.param_names:
        assert weighted.params_[name] == pytest.approx(expanded.params_[name], rel=1e-4)
    assert weighted.log_likelihood_ == pytest.approx(expanded.log_likelihood_, rel=1e-8)
