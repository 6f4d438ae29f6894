"""Analytic gradients of every likelihood against central finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from kunde.value import _bgfamily, _gamma_gamma
from kunde.value._pareto_nbd import ParetoNBD, _Quadrature


def _finite_difference(f: Callable[[np.ndarray], float], params: np.ndarray) -> np.ndarray:
    grad = np.zeros_like(params)
    for i in range(params.size):
        h = 1e-6 * params[i]
        up, down = params.copy(), params.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


PARAM_SETS = [
    pytest.param(np.array([0.243, 4.414, 0.793, 2.426]), id="cdnow"),
    pytest.param(np.array([2.5, 0.7, 3.0, 0.6]), id="frequent-buyers"),
    pytest.param(np.array([0.05, 40.0, 0.2, 9.0]), id="sparse"),
]


@pytest.mark.parametrize("shift", [0, 1], ids=["bgnbd", "mbgnbd"])
@pytest.mark.parametrize("params", PARAM_SETS)
def test_bg_family_gradient_matches_finite_differences(cdnow, params, shift) -> None:
    w = np.ones_like(cdnow.x)

    def total(p: np.ndarray) -> float:
        ll, _ = _bgfamily.log_likelihood(p, cdnow.x, cdnow.t_x, cdnow.T, shift)
        return float(w @ ll)

    _, grad = _bgfamily.log_likelihood(params, cdnow.x, cdnow.t_x, cdnow.T, shift)
    np.testing.assert_allclose(grad @ w, _finite_difference(total, params), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(np.array([0.553, 10.578, 0.606, 11.669]), id="cdnow-alpha<beta"),
        pytest.param(np.array([0.8, 12.0, 1.4, 3.0]), id="alpha>beta"),
        pytest.param(np.array([3.0, 0.5, 0.3, 40.0]), id="frequent-buyers"),
    ],
)
def test_pareto_nbd_gradient_matches_finite_differences(cdnow, params) -> None:
    model = ParetoNBD()
    x = np.r_[cdnow.x, 150.0, 500.0]
    t_x = np.r_[cdnow.t_x, 30.0, 38.0]
    T = np.r_[cdnow.T, 38.86, 38.86]
    w = np.ones_like(x)
    prepared = (_Quadrature(x, t_x, T),)
    _, grad = model._objective(params, x, t_x, T, w, prepared)
    numeric = _finite_difference(lambda p: model._objective(p, x, t_x, T, w, prepared)[0], params)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(np.array([6.25, 3.74, 15.44]), id="cdnow"),
        pytest.param(np.array([1.2, 1.05, 300.0]), id="heavy-tail"),
    ],
)
def test_gamma_gamma_gradient_matches_finite_differences(cdnow, params) -> None:
    use = cdnow.x > 0
    x, m = cdnow.x[use], cdnow.zbar[use]
    w = np.ones_like(x)
    _, grad = _gamma_gamma.log_likelihood(params, x, m, w)
    numeric = _finite_difference(lambda p: _gamma_gamma.log_likelihood(p, x, m, w)[0], params)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("params", [np.array([6.25, 3.74, 15.44]), np.array([1.2, 1.05, 300.0])])
def test_gamma_gamma_fast_objective_equals_the_plain_likelihood(cdnow, params) -> None:
    use = cdnow.x > 0
    x, m = cdnow.x[use], cdnow.zbar[use]
    w = np.arange(x.size) % 3 + 1.0
    plain = _gamma_gamma.log_likelihood(params, x, m, w)
    fast = _gamma_gamma.fit_objective(params, _gamma_gamma.SpendRows(x, m, w))
    assert fast[0] == pytest.approx(plain[0], rel=1e-12)
    np.testing.assert_allclose(fast[1], plain[1], rtol=1e-10)


@pytest.mark.parametrize("shift", [0, 1], ids=["bgnbd", "mbgnbd"])
@pytest.mark.parametrize("params", PARAM_SETS)
def test_bg_family_fast_objective_equals_the_plain_likelihood(cdnow, params, shift) -> None:
    w = np.arange(cdnow.x.size) % 3 + 1.0
    ll, grad = _bgfamily.log_likelihood(params, cdnow.x, cdnow.t_x, cdnow.T, shift)
    rows = _bgfamily.IndexedRows(cdnow.x, cdnow.t_x, cdnow.T, w)
    fast_ll, fast_grad = _bgfamily.fit_objective(params, rows, shift)
    assert fast_ll == pytest.approx(float(w @ ll), rel=1e-12)
    np.testing.assert_allclose(fast_grad, grad @ w, rtol=1e-9, atol=1e-9)
