"""Errors: unfitted models, bad histories, fits that cannot converge."""

from __future__ import annotations

import numpy as np
import pytest

from kunde.errors import ConvergenceError, InvalidFieldError, NotFittedError
from kunde.value import BGNBD, MBGNBD, GammaGamma, ParetoNBD
from kunde.value._fitting import maximize_log_likelihood

MODELS = [BGNBD, MBGNBD, ParetoNBD]


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.name)
def test_using_a_model_before_fit_raises_not_fitted(cls) -> None:
    with pytest.raises(NotFittedError, match="fit"):
        cls().conditional_probability_alive([1], [1], [2])
    with pytest.raises(NotFittedError):
        cls().conditional_expected_purchases(10, [1], [1], [2])


def test_gamma_gamma_before_fit_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        GammaGamma().conditional_expected_spend([1], [10.0])


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "field"),
    [
        pytest.param([1], [5], [3], "recency", id="recency-beyond-T"),
        pytest.param([1.5], [1], [3], "frequency", id="fractional-frequency"),
        pytest.param([-1], [0], [3], "frequency", id="negative-frequency"),
        pytest.param([2], [0], [3], "recency", id="repeat-without-recency"),
        pytest.param([1, 2], [1], [3], "frequency", id="lengths-differ"),
        pytest.param([1], [np.nan], [3], "recency", id="nan"),
    ],
)
def test_invalid_histories_are_refused_with_the_field(frequency, recency, T, field) -> None:
    with pytest.raises(InvalidFieldError) as info:
        BGNBD().fit(frequency, recency, T)
    assert info.value.field == field


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.name)
def test_a_fit_without_any_repeat_purchases_cannot_converge(cls) -> None:
    T = np.linspace(1, 50, 200)
    zeros = np.zeros_like(T)
    with pytest.raises(ConvergenceError, match="check the data"):
        cls().fit(zeros, zeros, T)


def test_a_likelihood_without_maximum_raises_convergence_error_with_advice() -> None:
    def unbounded(params: np.ndarray) -> tuple[float, np.ndarray]:
        return float(params.sum()), np.ones_like(params)  # grows forever

    with pytest.raises(ConvergenceError, match="penalizer"):
        maximize_log_likelihood("test", unbounded, np.zeros(2), 1.0, 0.0)


def test_a_likelihood_that_is_never_finite_raises_convergence_error() -> None:
    def broken(params: np.ndarray) -> tuple[float, np.ndarray]:
        return float("nan"), np.zeros_like(params)

    with pytest.raises(ConvergenceError, match="not finite"):
        maximize_log_likelihood("test", broken, np.zeros(2), 1.0, 0.0)


def test_gamma_gamma_needs_repeat_buyers() -> None:
    with pytest.raises(InvalidFieldError, match="repeat"):
        GammaGamma().fit([0, 0, 1], [0.0, 0.0, 10.0])
