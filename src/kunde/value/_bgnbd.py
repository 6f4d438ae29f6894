"""BG/NBD: the beta-geometric / negative binomial distribution model."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from kunde.value import _bgfamily
from kunde.value._base import PurchaseModel
from kunde.value._fitting import FloatArray, dot

__all__ = ["BGNBD", "start_bg_family"]


def start_bg_family(x: FloatArray, tenure: FloatArray, w: FloatArray) -> FloatArray:
    """Starting values: r = 1 and alpha from the mean purchase rate; a = 1.5, b = 3."""
    rate = (dot(w, x) + 0.1) / max(dot(w, tenure), 1e-9)
    return np.array([1.0, 1.0 / rate, 1.5, 3.0])


class BGNBD(PurchaseModel):
    """BG/NBD model of repeat purchases and drop-out (Fader, Hardie & Lee 2005).

    Assumptions: while active, a customer buys by a Poisson process with rate lambda;
    lambda ~ gamma(r, alpha) across customers. After each repeat purchase the customer drops out
    for good with probability p; p ~ beta(a, b) across customers; lambda and p are independent.
    Only repeat purchases count (``frequency`` excludes the first purchase).

    Parameters (``params_``): ``r``, ``alpha`` (gamma shape and rate of the purchase rate, alpha
    in the time unit of the data) and ``a``, ``b`` (beta of the drop-out probability).

    Reference: P. S. Fader, B. G. S. Hardie and K. L. Lee (2005), "Counting Your Customers the
    Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284.
    """

    name: ClassVar[str] = "bgnbd"
    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    _shift: ClassVar[int] = 0

    def _start(
        self, x: FloatArray, t_x: FloatArray, tenure: FloatArray, w: FloatArray
    ) -> FloatArray:
        return start_bg_family(x, tenure, w)

    def _fit_log_likelihood(
        self, x: FloatArray, t_x: FloatArray, tenure: FloatArray, w: FloatArray
    ) -> tuple[object, ...] | None:
        return (_bgfamily.IndexedRows(x, t_x, tenure, w),)

    def _objective(
        self,
        params: FloatArray,
        x: FloatArray,
        t_x: FloatArray,
        tenure: FloatArray,
        w: FloatArray,
        prepared: tuple[object, ...] | None,
    ) -> tuple[float, FloatArray]:
        assert prepared is not None
        rows = prepared[0]
        assert isinstance(rows, _bgfamily.IndexedRows)
        return _bgfamily.fit_objective(params, rows, self._shift)

    def _log_likelihood_rows(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> FloatArray:
        return _bgfamily.log_likelihood(params, x, t_x, tenure, self._shift)[0]

    def _log_p_alive(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> FloatArray:
        return _bgfamily.log_p_alive(params, x, t_x, tenure, self._shift)

    def _conditional_expected(
        self, params: FloatArray, t: float, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> FloatArray:
        return _bgfamily.conditional_expected_purchases(params, t, x, t_x, tenure, self._shift)

    def _alive_and_expected(
        self, params: FloatArray, t: float, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        return _bgfamily.alive_and_expected(params, t, x, t_x, tenure, self._shift)
