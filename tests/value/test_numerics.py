"""Numerical stability: hundreds and thousands of purchases, closed forms vs quadrature."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import hyp2f1

from kunde.value import BGNBD, MBGNBD, ParetoNBD
from kunde.value._pareto_nbd import _Quadrature, log_integral

HEAVY_X = np.array([0.0, 1.0, 10.0, 100.0, 500.0, 1000.0])
HEAVY_TX = np.array([0.0, 5.0, 20.0, 30.0, 35.5, 38.0])
HEAVY_T = np.full(6, 38.86)


@pytest.fixture(scope="module")
def fitted(cdnow):
    return {m.name: m.fit(cdnow.x, cdnow.t_x, cdnow.T) for m in (BGNBD(), MBGNBD(), ParetoNBD())}


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
def test_predictions_stay_finite_for_heavy_buyers(fitted, name) -> None:
    model = fitted[name]
    p_alive = model.conditional_probability_alive(HEAVY_X, HEAVY_TX, HEAVY_T)
    expected = model.conditional_expected_purchases(39, HEAVY_X, HEAVY_TX, HEAVY_T)
    ll = model.log_likelihood(HEAVY_X, HEAVY_TX, HEAVY_T)
    assert np.all(np.isfinite(p_alive)) and np.all(np.isfinite(expected))
    assert np.all(np.isfinite(ll))
    assert np.all((p_alive >= 0) & (p_alive <= 1))
    # a customer who bought 500 times until 3 weeks ago buys on: P(alive) near 1 and many purchases
    recent = model.conditional_expected_purchases(39, [500.0], [38.5], [38.86])
    assert recent[0] > 100


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(np.array([0.553, 10.578, 0.606, 11.669]), id="alpha<beta"),
        pytest.param(np.array([0.553, 13.0, 0.606, 2.0]), id="alpha>beta"),
        pytest.param(np.array([1.0, 5.0, 1.0, 5.0]), id="alpha=beta"),
    ],
)
def test_pareto_nbd_quadrature_matches_closed_form(cdnow, params) -> None:
    x = np.r_[cdnow.x, HEAVY_X]
    t_x = np.r_[cdnow.t_x, HEAVY_TX]
    T = np.r_[cdnow.T, HEAVY_T]
    closed = log_integral(params, x, t_x, T)
    quad = _Quadrature(x, t_x, T).log_integral_and_moments(params, x, t_x, T)[0]
    finite = np.isfinite(closed)
    assert np.array_equal(finite, np.isfinite(quad))
    np.testing.assert_allclose(quad[finite], closed[finite], rtol=0, atol=1e-9)


def test_pareto_nbd_fits_with_a_customer_of_500_purchases(cdnow) -> None:
    x = np.r_[cdnow.x, 500.0]
    t_x = np.r_[cdnow.t_x, 38.0]
    T = np.r_[cdnow.T, 38.86]
    model = ParetoNBD().fit(x, t_x, T)
    assert np.isfinite(model.log_likelihood_)
    # the quadrature used in fitting and the closed form agree at the optimum
    assert model.log_likelihood(x, t_x, T).sum() == pytest.approx(model.log_likelihood_, abs=1e-6)
    assert 0 < model.params_["r"] < 0.553  # one extreme buyer widens the rate heterogeneity


@pytest.mark.parametrize("shift", [0, 1], ids=["bgnbd", "mbgnbd"])
def test_euler_transformed_expectation_matches_direct_formula(fitted, shift) -> None:
    """For moderate x the textbook form (no transformation) is accurate; both must agree."""
    model = fitted["bgnbd" if shift == 0 else "mbgnbd"]
    r, alpha, a, b = model.params_.values()
    x = np.array([0.0, 1.0, 3.0, 8.0])
    t_x = np.array([0.0, 10.0, 20.0, 35.0])
    T = np.full(4, 38.86)
    t = 39.0
    z = t / (alpha + T + t)
    c = a + b + x + shift - 1
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x + shift, c, z)
    p_alive = model.conditional_probability_alive(x, t_x, T)
    direct = c / (a - 1) * bracket * p_alive
    got = model.conditional_expected_purchases(t, x, t_x, T)
    np.testing.assert_allclose(got, direct, rtol=1e-10)


@pytest.mark.parametrize(
    ("a", "b", "c", "z"),
    [
        pytest.param(1.0, 1.0, 101.0, 0.90016, id="scipy-inf"),
        pytest.param(1.0, 1.0, 104.0, 0.90016, id="scipy-nan"),
        pytest.param(1.0, 7.0, 259.0, 0.9512, id="pareto-shape"),
    ],
)
def test_hyp2f1_is_finite_where_scipy_fails_and_matches_the_series(a, b, c, z) -> None:
    from kunde.value._special import hyp2f1 as robust

    term, total = 1.0, 1.0
    for n in range(100_000):
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
    assert robust(a, b, c, z) == pytest.approx(total, rel=1e-12)
    # and the scipy-accurate region is left alone
    assert robust(0.3, 1.7, 5.0, 0.4) == pytest.approx(hyp2f1(0.3, 1.7, 5.0, 0.4), rel=1e-15)


@pytest.mark.parametrize("name", ["bgnbd", "mbgnbd", "pareto_nbd"])
@pytest.mark.parametrize("horizon", [0.0, 39.0], ids=["no-horizon", "39-weeks"])
def test_alive_and_expected_together_equal_the_separate_predictions(
    fitted, cdnow, name, horizon
) -> None:
    model = fitted[name]
    x, t_x, T = (
        np.r_[v, h] for v, h in ((cdnow.x, HEAVY_X), (cdnow.t_x, HEAVY_TX), (cdnow.T, HEAVY_T))
    )
    alive, expected = model.conditional_alive_and_expected(horizon, x, t_x, T)
    np.testing.assert_array_equal(alive, model.conditional_probability_alive(x, t_x, T))
    np.testing.assert_array_equal(
        expected, model.conditional_expected_purchases(horizon, x, t_x, T)
    )
