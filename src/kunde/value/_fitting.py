"""Shared machinery of the maximum-likelihood models: input checks, unique rows, the optimiser.

Every model is fitted on the unique (frequency, recency, T) rows with the number of customers
per row as weight, which is what makes a million customers cheap: a customer base has far fewer
distinct histories than customers. Parameters are optimised on the log scale (all are positive),
with analytic gradients, by L-BFGS-B.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kunde.errors import ConvergenceError, InvalidFieldError, NotFittedError

__all__ = [
    "FloatArray",
    "Rows",
    "check_fitted",
    "check_history",
    "combine",
    "compress",
    "dot",
    "factorize",
    "maximize_log_likelihood",
]

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

_CONVERGENCE_HINT = (
    "try a small penalizer (e.g. penalizer=0.001), weekly instead of daily time units, "
    "or check the data: frequency counts repeat purchase days, 0 <= recency <= T"
)


@dataclass(frozen=True)
class Rows:
    """Unique rows of a set of per-customer columns.

    Attributes:
        columns: the unique values, one array per input column.
        weights: summed weight (number of customers) of each unique row.
        inverse: for every input row, the index of its unique row.
    """

    columns: tuple[FloatArray, ...]
    weights: FloatArray
    inverse: npt.NDArray[np.intp]


def factorize(values: FloatArray) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Distinct values and, per element, the index of its value.

    Histories are whole days, or days divided by 7 (weeks): then the codes come from one
    rounding and one bincount instead of a sort. Values closer than 1e-9 (relative) count as
    equal. Anything else falls back to a sort.
    """
    if values.size:
        lo, hi = float(values.min()), float(values.max())
        for scale in (1.0, 7.0):
            if (hi - lo) * scale >= 5e6:
                continue
            scaled = values * scale if scale != 1.0 else values
            rounded = np.rint(scaled)
            if _whole(scaled, rounded):
                codes = rounded.astype(np.int64) - int(np.rint(lo * scale))
                present = np.bincount(codes) > 0
                remap = np.cumsum(present) - 1
                inverse = remap[codes].astype(np.intp, copy=False)
                unique = np.empty(int(present.sum()))
                unique[inverse] = values
                return unique, inverse
    unique, inverse = np.unique(values, return_inverse=True)
    return unique.astype(np.float64), inverse.astype(np.intp).reshape(-1)


def _whole(scaled: FloatArray, rounded: FloatArray) -> bool:
    """Whether ``scaled`` is within 1e-9 (relative) of the whole numbers ``rounded``: exact
    equality first (whole days are exact), the first values next (most inputs that are not
    whole fail there), the tolerance over all values last."""
    if np.array_equal(scaled, rounded):
        return True

    def close(a: FloatArray, b: FloatArray) -> bool:
        return bool(np.all(np.abs(a - b) <= 1e-9 * np.maximum(1.0, np.abs(a))))

    head = slice(0, 4096)
    return close(scaled[head], rounded[head]) and close(scaled, rounded)


def combine(
    codes: tuple[npt.NDArray[np.intp], ...], sizes: tuple[int, ...]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Group rows by several factor codes: (first row of each group, group index per row)."""
    key = np.zeros(codes[0].shape[0], dtype=np.int64)
    for c, size in zip(codes, sizes, strict=True):
        key = key * size + c
    total = int(np.prod(np.array(sizes, dtype=np.float64)))
    if total <= max(4 * key.size, 1 << 16):  # dense: no sort needed
        present = np.bincount(key, minlength=total) > 0
        remap = np.cumsum(present) - 1
        group = remap[key].astype(np.intp)
        first = np.empty(int(present.sum()), dtype=np.intp)
        first[group] = np.arange(key.size, dtype=np.intp)  # any row of the group will do
        return first, group
    order = np.argsort(key)  # the groups do not depend on the order of ties
    sorted_key = key[order]
    change = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
    group = np.empty(key.size, dtype=np.intp)
    group[order] = np.cumsum(change) - 1
    return order[change].astype(np.intp), group


def compress(columns: tuple[FloatArray, ...], weights: FloatArray | None = None) -> Rows:
    """Collapse identical rows of ``columns`` into unique rows with summed weights.

    Args:
        columns: equally long 1-d arrays.
        weights: per-row weights (default 1).

    Returns:
        The unique rows, their weights and the inverse index.
    """
    n = columns[0].shape[0]
    w: FloatArray = np.ones(n) if weights is None else weights
    if n == 0:
        return Rows(columns, w, np.zeros(0, dtype=np.intp))
    factors = [factorize(c) for c in columns]
    first, inverse = combine(tuple(code for _, code in factors), tuple(u.size for u, _ in factors))
    unique = tuple(u[code[first]] for u, code in factors)
    summed: FloatArray = np.bincount(inverse, weights=w, minlength=first.size).astype(np.float64)
    return Rows(unique, summed, inverse)


def dot(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> float:
    """Dot product of two 1-d arrays without BLAS.

    BLAS may start threads for a plain dot product; on a loaded machine that costs
    milliseconds per call, more than the whole likelihood evaluation.
    """
    return float(np.multiply(a, b).sum())


def _as_float(name: str, values: ArrayLike) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if not np.all(np.isfinite(arr)):
        raise InvalidFieldError(name, "contains NaN or infinite values; drop or fill them first")
    return arr


def check_history(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803
    weights: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray | None]:
    """Validate per-customer purchase histories and return them as float arrays.

    Raises:
        InvalidFieldError: shapes differ, values are negative, non-integer frequencies,
            recency beyond T, or customers with repeat purchases but zero recency.
    """
    x = _as_float("frequency", frequency)
    t_x = _as_float("recency", recency)
    t = _as_float("T", T)
    if not x.shape == t_x.shape == t.shape:
        raise InvalidFieldError("frequency", "frequency, recency and T must have the same length")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise InvalidFieldError("frequency", "must be whole numbers >= 0 (repeat purchase days)")
    if np.any(t_x < 0):
        raise InvalidFieldError("recency", "must be >= 0")
    if np.any(t_x > t * (1 + 1e-12) + 1e-12):
        raise InvalidFieldError("recency", "must not exceed T (time since the first purchase)")
    if np.any((x > 0) & (t_x <= 0)):
        raise InvalidFieldError(
            "recency", "customers with repeat purchases need recency > 0 (last minus first day)"
        )
    if np.any((x == 0) & (t_x != 0)):
        raise InvalidFieldError("recency", "must be 0 for customers without repeat purchases")
    w: FloatArray | None = None
    if weights is not None:
        w = _as_float("weights", weights)
        if w.shape != x.shape:
            raise InvalidFieldError("weights", "must have one weight per customer")
        if np.any(w < 0):
            raise InvalidFieldError("weights", "must be >= 0")
    return x, t_x, np.maximum(t, t_x), w


def check_fitted(model: Any, name: str) -> dict[str, float]:
    """The fitted parameters of ``model``, or :class:`NotFittedError` if it was not fitted."""
    params: dict[str, float] | None = getattr(model, "params_", None)
    if params is None:
        raise NotFittedError(f"{name} is not fitted yet; call fit() first")
    return params


def maximize_log_likelihood(
    name: str,
    log_likelihood: Callable[[FloatArray], tuple[float, FloatArray]],
    start: FloatArray,
    total_weight: float,
    penalizer: float,
    *,
    transform: Callable[[FloatArray], tuple[FloatArray, FloatArray]] | None = None,
    max_iter: int = 1000,
) -> tuple[FloatArray, float, int]:
    """Maximise a summed log-likelihood over unconstrained parameters theta.

    Args:
        name: model name for error messages.
        log_likelihood: maps the model's (positive) parameters to (summed LL, gradient wrt them).
        start: starting point on the theta scale (log of the parameters by default).
        total_weight: number of customers, used to scale the objective to a per-customer mean.
        penalizer: L2 penalty on the parameters (as lifetimes), per customer.
        transform: maps theta to (params, d params / d theta); default exp.
        max_iter: iteration limit of L-BFGS-B.

    Returns:
        The fitted parameters, the summed log-likelihood at them and the iteration count.

    Raises:
        ConvergenceError: the optimiser failed or ended at degenerate parameters.
    """

    from scipy.optimize import minimize  # here: scoring processes need not import the optimiser

    def exp_transform(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        p = np.exp(theta)
        return p, p

    to_params = transform or exp_transform
    scale = 1.0 / max(total_weight, 1e-300)

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        params, dparams = to_params(theta)
        with np.errstate(all="ignore"):
            ll, grad = log_likelihood(params)
        value = -ll * scale + penalizer * float(np.sum(params**2))
        g = (-grad * scale + 2.0 * penalizer * params) * dparams
        if not np.isfinite(value) or not np.all(np.isfinite(g)):
            return float("inf"), np.zeros_like(theta)
        return float(value), g

    theta0 = np.asarray(start, dtype=np.float64)
    bounds = [(-30.0, 30.0)] * len(theta0)
    options = {"maxiter": max_iter, "gtol": 1e-9, "ftol": 1e-14}
    res = minimize(objective, theta0, jac=True, method="L-BFGS-B", bounds=bounds, options=options)
    for _ in range(3):  # restart after a failed line search: it often only lost its memory
        if res.success:
            break
        res = minimize(
            objective, res.x, jac=True, method="L-BFGS-B", bounds=bounds, options=options
        )
    value, grad = objective(res.x)
    params, _ = to_params(res.x)
    if not np.isfinite(value):
        raise ConvergenceError(
            f"{name} fit failed: the likelihood is not finite at any tried parameters; "
            + _CONVERGENCE_HINT
        )
    if not res.success and float(np.max(np.abs(grad))) > 1e-5:
        raise ConvergenceError(f"{name} fit did not converge ({res.message}); " + _CONVERGENCE_HINT)
    if np.any(np.abs(res.x) > 29.0):
        raise ConvergenceError(
            f"{name} fit ran to degenerate parameters {np.round(params, 6).tolist()}; "
            + _CONVERGENCE_HINT
        )
    ll, _ = log_likelihood(params)
    return params, float(ll), int(res.nit)
