"""The common estimator shape of the purchase-count ("buy till you die") models."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Self

import numpy as np

from kunde.errors import ConvergenceError, InvalidFieldError
from kunde.value._fitting import (
    ArrayLike,
    FloatArray,
    check_fitted,
    check_history,
    compress,
    maximize_log_likelihood,
)

__all__ = ["PurchaseModel"]


class PurchaseModel(ABC):
    """A model of how many purchases a customer makes and whether they are still active.

    Histories are given per customer in one time unit (days or weeks): ``frequency`` is the number
    of repeat purchase days (purchase days minus one), ``recency`` the time from the first to the
    last purchase day, ``T`` the time from the first purchase day to the end of observation.

    Args:
        penalizer: L2 penalty on the parameters (per customer); 0 is plain maximum likelihood.
            A small value (0.001) helps when a fit does not converge.

    Attributes:
        params_: fitted parameters by their published names.
        log_likelihood_: summed log-likelihood of the fitting data at ``params_``.
        n_customers_: total weight (customers) the model was fitted on.
        n_rows_: number of distinct (frequency, recency, T) rows the fit ran on.
        n_iter_: optimiser iterations.
    """

    name: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]

    params_: dict[str, float]
    log_likelihood_: float
    n_customers_: float
    n_rows_: int
    n_iter_: int

    def __init__(self, penalizer: float = 0.0) -> None:
        if penalizer < 0:
            raise InvalidFieldError("penalizer", "must be >= 0")
        self.penalizer = penalizer

    # --- model-specific hooks -------------------------------------------------------------

    @abstractmethod
    def _start(
        self, x: FloatArray, t_x: FloatArray, tenure: FloatArray, w: FloatArray
    ) -> FloatArray:
        """Starting parameters for the optimiser."""

    @abstractmethod
    def _fit_log_likelihood(
        self, x: FloatArray, t_x: FloatArray, tenure: FloatArray, w: FloatArray
    ) -> tuple[object, ...] | None:
        """Optional per-fit precomputation passed to :meth:`_objective` (e.g. quadrature)."""

    @abstractmethod
    def _objective(
        self,
        params: FloatArray,
        x: FloatArray,
        t_x: FloatArray,
        tenure: FloatArray,
        w: FloatArray,
        prepared: tuple[object, ...] | None,
    ) -> tuple[float, FloatArray]:
        """Summed weighted log-likelihood and its gradient wrt the parameters."""

    @abstractmethod
    def _log_likelihood_rows(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> FloatArray:
        """Per-row log-likelihood (rows as given, possibly with duplicates)."""

    @abstractmethod
    def _log_p_alive(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> FloatArray:
        """Per-row log P(alive at T)."""

    @abstractmethod
    def _conditional_expected(
        self, params: FloatArray, t: float, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> FloatArray:
        """Per-row expected purchases in (T, T + t]."""

    def _alive_and_expected(
        self, params: FloatArray, t: float, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """(:meth:`_log_p_alive`, :meth:`_conditional_expected`) of the same rows; a model
        overrides it when the two share work."""
        return (
            self._log_p_alive(params, x, t_x, tenure),
            self._conditional_expected(params, t, x, t_x, tenure),
        )

    # --- public API -----------------------------------------------------------------------

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803 - the literature's name
        weights: ArrayLike | None = None,
    ) -> Self:
        """Fit the parameters by maximum likelihood.

        Args:
            frequency: repeat purchase days per customer.
            recency: time from first to last purchase day (0 without repeat purchases).
            T: time from first purchase day to the end of observation.
            weights: customers per row (default 1 each), e.g. from pre-aggregated histories.

        Returns:
            The fitted model.

        Raises:
            InvalidFieldError: invalid histories.
            ConvergenceError: the fit did not converge; the message says what to try.
        """
        x, t_x, t, w = check_history(frequency, recency, T, weights)
        if x.shape[0] == 0:
            raise InvalidFieldError("frequency", "no customers to fit on")
        rows = compress((x, t_x, t), w)
        ux, ut_x, ut = rows.columns
        keep = rows.weights > 0
        ux, ut_x, ut, uw = ux[keep], ut_x[keep], ut[keep], rows.weights[keep]
        if not np.any(ux > 0):
            raise ConvergenceError(
                f"{self.name} cannot be fitted: no customer has a repeat purchase, so purchase "
                "and drop-out rates are not identified; check the data (frequency counts repeat "
                "purchase days) or fit on a longer history"
            )
        prepared = self._fit_log_likelihood(ux, ut_x, ut, uw)

        def ll(params: FloatArray) -> tuple[float, FloatArray]:
            return self._objective(params, ux, ut_x, ut, uw, prepared)

        total = float(uw.sum())
        params, loglik, n_iter = maximize_log_likelihood(
            self.name,
            ll,
            np.log(self._start(ux, ut_x, ut, uw)),
            total,
            self.penalizer,
        )
        self.params_ = dict(zip(self.param_names, (float(p) for p in params), strict=True))
        self.log_likelihood_ = loglik
        self.n_customers_ = total
        self.n_rows_ = int(ux.shape[0])
        self.n_iter_ = n_iter
        return self

    def _params(self) -> FloatArray:
        params = check_fitted(self, self.name)
        return np.array([params[k] for k in self.param_names])

    def log_likelihood(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Per-customer log-likelihood under the fitted parameters (for model comparison)."""
        params = self._params()
        x, t_x, t, _ = check_history(frequency, recency, T)
        with np.errstate(all="ignore"):
            out: FloatArray = self._log_likelihood_rows(params, x, t_x, t)
        return out

    def conditional_probability_alive(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """P(alive): probability that each customer is still an active customer at T."""
        params = self._params()
        x, t_x, t, _ = check_history(frequency, recency, T)
        with np.errstate(all="ignore"):
            p = np.exp(self._log_p_alive(params, x, t_x, t))
        out: FloatArray = np.clip(p, 0.0, 1.0)
        return out

    def conditional_expected_purchases(
        self,
        t: float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Expected purchases of each customer in the next ``t`` time units after T.

        Args:
            t: horizon in the time unit of the fit (>= 0).
            frequency: repeat purchase days per customer.
            recency: time from first to last purchase day.
            T: time from first purchase day to now.
        """
        if not np.isfinite(t) or t < 0:
            raise InvalidFieldError("t", "the horizon must be a finite number >= 0")
        params = self._params()
        x, t_x, tt, _ = check_history(frequency, recency, T)
        if t == 0:
            return np.zeros(x.shape[0])
        with np.errstate(all="ignore"):
            e = self._conditional_expected(params, float(t), x, t_x, tt)
        out: FloatArray = np.maximum(e, 0.0)
        return out

    def conditional_alive_and_expected(
        self,
        t: float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> tuple[FloatArray, FloatArray]:
        """(P(alive), expected purchases in the next ``t`` time units) of each customer.

        The same values as :meth:`conditional_probability_alive` and
        :meth:`conditional_expected_purchases`, with the histories checked once and the work
        both share done once (scoring every customer needs both).
        """
        if not np.isfinite(t) or t < 0:
            raise InvalidFieldError("t", "the horizon must be a finite number >= 0")
        params = self._params()
        x, t_x, tt, _ = check_history(frequency, recency, T)
        with np.errstate(all="ignore"):
            if t == 0:
                log_alive, expected = self._log_p_alive(params, x, t_x, tt), np.zeros(x.shape[0])
            else:
                log_alive, expected = self._alive_and_expected(params, float(t), x, t_x, tt)
            alive: FloatArray = np.clip(np.exp(log_alive), 0.0, 1.0)
        return alive, np.maximum(expected, 0.0)

    def expected_purchases(self, t: float) -> float:
        """Expected repeat purchases in the first ``t`` time units of a new customer."""
        zero = np.zeros(1)
        return float(self.conditional_expected_purchases(t, zero, zero, zero)[0])

    def __repr__(self) -> str:
        params = getattr(self, "params_", None)
        if params is None:
            return f"{type(self).__name__}(penalizer={self.penalizer}) (not fitted)"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in params.items())
        return f"{type(self).__name__}({shown}, log_likelihood={self.log_likelihood_:.2f})"
