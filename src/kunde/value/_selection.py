"""Choosing between purchase models: by likelihood (BIC) or by holdout error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from kunde.errors import InvalidFieldError
from kunde.value._base import PurchaseModel
from kunde.value._evaluation import aggregate_bias, holdout_mae
from kunde.value._fitting import ArrayLike

__all__ = ["ModelChoice", "select_by_holdout", "select_by_likelihood"]


@dataclass(frozen=True)
class ModelChoice:
    """The chosen model and the score of every candidate (lower is better).

    Attributes:
        best: name of the chosen model.
        criterion: ``"bic"`` or ``"holdout_mae"``.
        scores: model name -> score.
        bias: model name -> aggregate holdout bias (holdout selection only).
    """

    best: str
    criterion: str
    scores: dict[str, float]
    bias: dict[str, float]


def _check(models: Mapping[str, PurchaseModel]) -> None:
    if not models:
        raise InvalidFieldError("models", "need at least one fitted model to choose from")


def select_by_likelihood(models: Mapping[str, PurchaseModel]) -> ModelChoice:
    """Choose the model with the lowest BIC, -2 LL + k ln(n), on its fitting data.

    The candidates must have been fitted on the same customers. BG/NBD, MBG/NBD and Pareto/NBD
    all have four parameters, so this is also the choice by likelihood.
    """
    _check(models)
    scores: dict[str, float] = {}
    for name, model in models.items():
        k = len(model.param_names)
        n = max(model.n_customers_, 1.0)
        scores[name] = -2.0 * model.log_likelihood_ + k * float(np.log(n))
    best = min(scores, key=scores.__getitem__)
    return ModelChoice(best=best, criterion="bic", scores=scores, bias={})


def select_by_holdout(
    models: Mapping[str, PurchaseModel],
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803
    holdout_purchases: ArrayLike,
    horizon: float,
) -> ModelChoice:
    """Choose the model whose predictions of the holdout purchases have the lowest MAE.

    Args:
        models: candidates fitted on the calibration histories.
        frequency: calibration repeat purchase days per customer.
        recency: calibration recency per customer.
        T: calibration tenure per customer.
        holdout_purchases: actual purchase days per customer in the holdout window.
        horizon: length of the holdout window in the models' time unit.
    """
    _check(models)
    scores: dict[str, float] = {}
    bias: dict[str, float] = {}
    for name, model in models.items():
        predicted = model.conditional_expected_purchases(horizon, frequency, recency, T)
        scores[name] = holdout_mae(holdout_purchases, predicted)
        bias[name] = aggregate_bias(holdout_purchases, predicted)
    best = min(scores, key=scores.__getitem__)
    return ModelChoice(best=best, criterion="holdout_mae", scores=scores, bias=bias)
