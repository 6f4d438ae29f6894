"""Gamma-Gamma model of the spend per purchase."""

from __future__ import annotations

from typing import Self

import numpy as np
from scipy.special import digamma, gammaln

from kunde.errors import InvalidFieldError
from kunde.value._fitting import (
    ArrayLike,
    FloatArray,
    check_fitted,
    compress,
    dot,
    factorize,
    maximize_log_likelihood,
)

__all__ = ["GammaGamma", "SpendRows", "fit_objective", "log_likelihood"]


def _check(frequency: ArrayLike, monetary: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(frequency, dtype=np.float64).reshape(-1)
    m = np.asarray(monetary, dtype=np.float64).reshape(-1)
    if x.shape != m.shape:
        raise InvalidFieldError("monetary", "needs one value per customer, like frequency")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(m))):
        raise InvalidFieldError("monetary", "contains NaN or infinite values")
    if np.any(x < 0):
        raise InvalidFieldError("frequency", "must be >= 0")
    if np.any(m < 0):
        raise InvalidFieldError("monetary", "must be >= 0")
    return x, m


def log_likelihood(
    params: FloatArray, x: FloatArray, m: FloatArray, w: FloatArray
) -> tuple[float, FloatArray]:
    """Summed weighted log-likelihood of mean spends ``m`` over ``x`` purchases, and its gradient
    wrt (p, q, v). Rows need x > 0 and m > 0."""
    p, q, v = params
    px = p * x
    log_m, log_x = np.log(m), np.log(x)
    vxm = v + x * m
    log_share = np.log1p(x * m / v)  # ln((v + x m) / v), no cancellation for large q and v
    rows_ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + (px - 1.0) * log_m
        + px * log_x
        - q * log_share
        - px * np.log(vxm)
    )
    dp = x * (digamma(px + q) - digamma(px) + log_m + log_x - np.log(vxm))
    dq = digamma(px + q) - digamma(q) - log_share
    dv = (q * x * m / v - px) / vxm
    return dot(w, rows_ll), np.array([dot(w, dp), dot(w, dq), dot(w, dv)])


class SpendRows:
    """Spend histories with the functions of x alone computed per distinct x (few of them)."""

    def __init__(self, x: FloatArray, m: FloatArray, w: FloatArray) -> None:
        self.x, self.m, self.w = x, m, w
        self.xm = x * m
        self.log_mx = np.log(m) + np.log(x)
        self.log_m = np.log(m)
        self.ux, inverse = factorize(x)
        self.wx = np.bincount(inverse, weights=w, minlength=self.ux.size)


def fit_objective(params: FloatArray, rows: SpendRows) -> tuple[float, FloatArray]:
    """:func:`log_likelihood` over :class:`SpendRows`: same value and gradient, faster."""
    p, q, v = (float(t) for t in params)
    ux, x, w = rows.ux, rows.x, rows.w
    pu = p * ux
    psi_pq = digamma(pu + q)
    per_x = gammaln(pu + q) - gammaln(pu) - gammaln(q)
    log_share = np.log1p(rows.xm / v)
    log_vxm = np.log(v + rows.xm)
    px = p * x
    rows_ll = px * (rows.log_mx - log_vxm) - rows.log_m - q * log_share
    ll = dot(rows.wx, per_x) + dot(w, rows_ll)
    dp = dot(rows.wx, ux * (psi_pq - digamma(pu))) + dot(w, x * (rows.log_mx - log_vxm))
    dq = dot(rows.wx, psi_pq - digamma(q)) - dot(w, log_share)
    dv = dot(w, (q * rows.xm / v - px) / (v + rows.xm))
    return ll, np.array([dp, dq, dv])


class GammaGamma:
    """Gamma-Gamma model of a customer's average spend per purchase.

    Assumptions: the value of each of a customer's transactions varies around the customer's
    mean spend as gamma(p, nu); nu ~ gamma(q, v) across customers, so the mean spend is
    p / nu with population mean p v / (q - 1). Spend is independent of the purchase process
    (check that the correlation of frequency and monetary value is weak). Fitted on customers
    with at least one repeat purchase, using the mean value of their repeat purchases.
    ``q > 1`` is enforced so that the population mean spend exists.

    Parameters (``params_``): ``p``, ``q``, ``v``.

    References: P. S. Fader, B. G. S. Hardie and K. L. Lee (2005), "RFM and CLV: Using
    Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research 42(4),
    415-430; P. S. Fader and B. G. S. Hardie (2013), "The Gamma-Gamma Model of Monetary Value".

    Args:
        penalizer: L2 penalty on the parameters (per customer).

    Attributes:
        params_: fitted ``p``, ``q``, ``v``.
        log_likelihood_: summed log-likelihood of the fitting data.
        n_customers_: customers fitted on (those with frequency > 0 and weight > 0).
        n_iter_: optimiser iterations.
    """

    name = "gamma_gamma"
    param_names = ("p", "q", "v")

    params_: dict[str, float]
    log_likelihood_: float
    n_customers_: float
    n_iter_: int

    def __init__(self, penalizer: float = 0.0) -> None:
        if penalizer < 0:
            raise InvalidFieldError("penalizer", "must be >= 0")
        self.penalizer = penalizer

    def fit(
        self, frequency: ArrayLike, monetary: ArrayLike, weights: ArrayLike | None = None
    ) -> Self:
        """Fit on customers' repeat-purchase counts and mean repeat spend.

        Customers with frequency 0 or monetary value 0 carry no spend information and are
        ignored.

        Raises:
            InvalidFieldError: invalid input or fewer than two usable customers.
            ConvergenceError: the fit did not converge; the message says what to try.
        """
        x, m = _check(frequency, monetary)
        w = np.ones_like(x) if weights is None else np.asarray(weights, np.float64).reshape(-1)
        if w.shape != x.shape or np.any(w < 0):
            raise InvalidFieldError("weights", "needs one weight >= 0 per customer")
        use = (x > 0) & (m > 0) & (w > 0)
        if np.count_nonzero(use) < 2:
            raise InvalidFieldError(
                "monetary", "need customers with repeat purchases and positive spend to fit on"
            )
        rows = compress((x[use], m[use]), w[use])
        ux, um = rows.columns
        uw = rows.weights

        spend_rows = SpendRows(ux, um, uw)

        def ll(params: FloatArray) -> tuple[float, FloatArray]:
            return fit_objective(params, spend_rows)

        def to_params(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
            e = np.exp(theta)
            # q = 1 + exp(theta_q): the population mean spend p v / (q - 1) exists.
            return np.array([e[0], 1.0 + e[1], e[2]]), e

        mean_m = dot(uw, um) / float(uw.sum())
        start = np.log(np.array([2.0, 2.0, mean_m]))  # p = 2, q = 3, p v / (q - 1) = mean spend
        params, loglik, n_iter = maximize_log_likelihood(
            self.name, ll, start, float(uw.sum()), self.penalizer, transform=to_params
        )
        self.params_ = dict(zip(self.param_names, (float(p) for p in params), strict=True))
        self.log_likelihood_ = loglik
        self.n_customers_ = float(uw.sum())
        self.n_iter_ = n_iter
        return self

    @property
    def population_mean_spend_(self) -> float:
        """Mean spend per purchase across the population, p v / (q - 1)."""
        params = check_fitted(self, self.name)
        return params["p"] * params["v"] / (params["q"] - 1.0)

    def conditional_expected_spend(self, frequency: ArrayLike, monetary: ArrayLike) -> FloatArray:
        """Expected spend per future purchase of each customer.

        A weighted mean of the population mean and the customer's own mean repeat spend; the
        more repeat purchases, the more weight on the customer's own mean. Customers without
        repeat purchases get the population mean.
        """
        params = check_fitted(self, self.name)
        p, q, v = params["p"], params["q"], params["v"]
        x, m = _check(frequency, monetary)
        x = np.where(m > 0, x, 0.0)
        own = p * x / (p * x + q - 1.0)
        out: FloatArray = (1.0 - own) * (p * v / (q - 1.0)) + own * m
        return out

    def __repr__(self) -> str:
        params = getattr(self, "params_", None)
        if params is None:
            return f"GammaGamma(penalizer={self.penalizer}) (not fitted)"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in params.items())
        return f"GammaGamma({shown}, log_likelihood={self.log_likelihood_:.2f})"
