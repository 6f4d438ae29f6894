"""Holdout evaluation of purchase predictions: error, bias, Fader-Hardie table, P(alive) grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kunde.errors import InvalidFieldError
from kunde.value._base import PurchaseModel
from kunde.value._fitting import ArrayLike, FloatArray

__all__ = [
    "FrequencyTable",
    "aggregate_bias",
    "frequency_table",
    "holdout_mae",
    "p_alive_matrix",
]


def _pair(actual: ArrayLike, predicted: ArrayLike) -> tuple[FloatArray, FloatArray]:
    a = np.asarray(actual, dtype=np.float64).reshape(-1)
    p = np.asarray(predicted, dtype=np.float64).reshape(-1)
    if a.shape != p.shape:
        raise InvalidFieldError("predicted", "needs one prediction per actual value")
    if a.size == 0:
        raise InvalidFieldError("actual", "no customers to evaluate")
    return a, p


def holdout_mae(actual: ArrayLike, predicted: ArrayLike) -> float:
    """Mean absolute error per customer of predicted vs actual holdout purchases."""
    a, p = _pair(actual, predicted)
    return float(np.mean(np.abs(a - p)))


def aggregate_bias(actual: ArrayLike, predicted: ArrayLike) -> float:
    """Relative error of the total: (sum predicted - sum actual) / sum actual."""
    a, p = _pair(actual, predicted)
    total = float(a.sum())
    if total == 0:
        raise InvalidFieldError("actual", "no holdout purchases: the bias is undefined")
    return (float(p.sum()) - total) / total


@dataclass(frozen=True)
class FrequencyTable:
    """Mean holdout purchases by calibration frequency (Fader, Hardie & Lee 2005, figure 4).

    Attributes:
        frequency: the bins 0, 1, ..., max; the last bin holds max and above ("7+").
        customers: customers per bin.
        actual: mean actual holdout purchases per bin.
        predicted: mean predicted holdout purchases per bin.
    """

    frequency: npt.NDArray[np.int64]
    customers: npt.NDArray[np.int64]
    actual: FloatArray
    predicted: FloatArray

    def rows(self) -> list[dict[str, float | int | str]]:
        """The table as JSON-ready rows; the last bin is labelled e.g. "7+"."""
        last = int(self.frequency[-1])
        out: list[dict[str, float | int | str]] = []
        for f, n, a, p in zip(
            self.frequency, self.customers, self.actual, self.predicted, strict=True
        ):
            label: int | str = f"{last}+" if f == last else int(f)
            out.append({"frequency": label, "customers": int(n), "actual": a, "predicted": p})
        return out


def frequency_table(
    calibration_frequency: ArrayLike,
    actual: ArrayLike,
    predicted: ArrayLike,
    max_frequency: int = 7,
) -> FrequencyTable:
    """Group customers by calibration frequency (0..max, max+ pooled) and average the holdout."""
    a, p = _pair(actual, predicted)
    x = np.asarray(calibration_frequency, dtype=np.float64).reshape(-1)
    if x.shape != a.shape:
        raise InvalidFieldError("calibration_frequency", "needs one value per customer")
    bins = np.minimum(x, max_frequency).astype(np.int64)
    counts = np.bincount(bins, minlength=max_frequency + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a = np.bincount(bins, weights=a, minlength=max_frequency + 1) / counts
        mean_p = np.bincount(bins, weights=p, minlength=max_frequency + 1) / counts
    return FrequencyTable(
        frequency=np.arange(max_frequency + 1, dtype=np.int64),
        customers=counts.astype(np.int64),
        actual=np.where(counts > 0, mean_a, np.nan),
        predicted=np.where(counts > 0, mean_p, np.nan),
    )


def p_alive_matrix(
    model: PurchaseModel, max_frequency: int, tenure: float, recency_steps: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """P(alive) of a customer observed for ``tenure`` by frequency and recency (lifetimes' matrix).

    Args:
        model: a fitted purchase model.
        max_frequency: largest frequency (rows 0 .. max_frequency).
        tenure: T of every cell, in the model's time unit.
        recency_steps: recency columns, evenly from 0 to ``tenure``.

    Returns:
        (matrix of shape (frequencies, recencies), frequencies, recencies). Cells no history can
        have (repeat purchases at recency 0, or recency > 0 without repeat purchases) are NaN.
    """
    if max_frequency < 0 or recency_steps < 2 or not tenure > 0:
        raise InvalidFieldError("max_frequency", "needs frequencies >= 0 and a tenure > 0")
    freq = np.arange(max_frequency + 1, dtype=np.float64)
    rec = np.linspace(0.0, tenure, recency_steps)
    x, t_x = np.meshgrid(freq, rec, indexing="ij")
    valid = (x > 0) == (t_x > 0)
    out = np.full(x.shape, np.nan)
    out[valid] = model.conditional_probability_alive(
        x[valid], t_x[valid], np.full(int(valid.sum()), tenure)
    )
    return out, freq, rec
