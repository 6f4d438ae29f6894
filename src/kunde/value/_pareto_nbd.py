"""Pareto/NBD: Poisson purchases with exponential lifetimes (Schmittlein, Morrison & Colombo 1987).

The likelihood of a history (x, t_x, T) is

    L = G(r+x) alpha^r beta^s / G(r) * [ (alpha+T)^-(r+x) (beta+T)^-s + s * I ],
    I = integral over tau in [t_x, T] of (alpha+tau)^-(r+x) (beta+tau)^-(s+1),

where the second term is the chance that the customer died at tau between the last purchase and
T. Fader & Hardie (2005, "A note on deriving the Pareto/NBD model and related expressions")
write I = A0 / (r+s+x) with Gauss hypergeometric functions. Predictions use that closed form,
Euler-transformed so that the hypergeometric function has first parameter 1 and stays between 1
and (r+s+x)/s: it is finite for customers with thousands of purchases.

The fit needs the derivative of I with respect to r and s, which the closed form does not give.
It therefore evaluates I by a composite Gauss-Legendre rule on [t_x, T], graded geometrically
towards t_x where the integrand peaks for frequent buyers; the nodes depend on the data only, so
the analytic gradient (the integral of the integrand's derivative on the same nodes) is the exact
gradient of the objective the optimiser sees. Both I and its derivatives are accumulated in log
space (log-sum-exp), so they neither overflow nor underflow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln

from kunde.value._base import PurchaseModel
from kunde.value._fitting import FloatArray, compress, dot
from kunde.value._special import hyp2f1

__all__ = ["ParetoNBD", "log_integral"]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)
_CHUNK_NODES = 1_000_000  # nodes evaluated at once: about 60 MB of temporaries


def _log1mexp(d: FloatArray) -> FloatArray:
    """log(1 - exp(d)) for d <= 0, accurate over the whole range."""
    near = d > -0.6931
    with np.errstate(divide="ignore"):
        out: FloatArray = np.where(
            near,
            np.log(-np.expm1(np.where(near, d, -1.0))),
            np.log1p(-np.exp(np.where(near, -1.0, d))),
        )
    return out


def _alive_part(params: FloatArray, x: FloatArray, t: FloatArray) -> FloatArray:
    """ln[alpha^r beta^s (alpha+t)^-(r+x) (beta+t)^-s], without cancellation for large s, beta."""
    r, alpha, s, beta = params
    out: FloatArray = -r * np.log1p(t / alpha) - x * np.log(alpha + t) - s * np.log1p(t / beta)
    return out


def log_integral(
    params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
) -> FloatArray:
    """ln(alpha^r beta^s I), I the drop-out integral over [t_x, T], in closed form.

    -inf where t_x == T. The factor alpha^r beta^s is folded in term by term (log1p) so that
    the result stays accurate when s and beta are large (nearly homogeneous drop-out).
    """
    r, alpha, s, beta = params

    def log_term(t: FloatArray) -> FloatArray:
        scaled = -r * np.log1p(t / alpha) - s * np.log1p(t / beta)
        if alpha >= beta:
            z = (alpha - beta) / (alpha + t)
            f = hyp2f1(1.0, r + x, r + s + x + 1.0, z)
            out: FloatArray = scaled - x * np.log(alpha + t) + np.log(f)
            return out
        z = (beta - alpha) / (beta + t)
        f = hyp2f1(1.0, s + 1.0, r + s + x + 1.0, z)
        out = scaled + (1.0 - x) * np.log(alpha + t) - np.log(beta + t) + np.log(f)
        return out

    upper = log_term(t_x)
    lower = log_term(tenure)
    diff = np.minimum(lower - upper, 0.0)
    result: FloatArray = np.where(
        t_x < tenure, upper + _log1mexp(diff) - np.log(r + s + x), -np.inf
    )
    return result


class _Quadrature:
    """Data-dependent nodes of the graded Gauss-Legendre rule for I, grouped by depth."""

    def __init__(self, x: FloatArray, t_x: FloatArray, tenure: FloatArray) -> None:
        span = tenure - t_x
        self.rows = np.flatnonzero(span > 0)
        self.groups: list[tuple[npt.NDArray[np.intp], FloatArray, FloatArray]] = []
        if self.rows.size == 0:
            return
        # Depth: the smallest sub-interval must be narrow against the integrand's decay scale
        # (alpha + t_x) / (r + x); alpha is unknown, so 1e-3 of the longest T stands in for it.
        floor = 1e-3 * float(np.max(tenure))
        xs, txs, spans = x[self.rows], t_x[self.rows], span[self.rows]
        ratio = (xs + 3.0) * spans / (txs + floor)
        depth = np.clip(np.ceil(np.log2(np.maximum(ratio, 1.0))) + 4, 4, 60).astype(int)
        for m in np.unique(depth):
            sel = self.rows[depth == m]
            # sub-intervals [0, 2^-m], [2^-m, 2^-m+1], ..., [1/2, 1] of the unit interval
            edges = np.concatenate(([0.0], 2.0 ** -np.arange(m, -1, -1, dtype=np.float64)))
            lo, hi = edges[:-1, None], edges[1:, None]
            u = (lo + (hi - lo) * (_GL_NODES[None, :] + 1.0) / 2.0).ravel()
            wu = ((hi - lo) * _GL_WEIGHTS[None, :] / 2.0).ravel()
            self.groups.append((sel, u, np.log(wu)))

    def log_integral_and_moments(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """ln(alpha^r beta^s I) per row and the integrand-weighted means of the derivatives of
        the log-integrand wrt (r, alpha, s, beta), shape (4, rows); -inf and 0 where t_x == T.
        """
        r, alpha, s, beta = params
        n = x.shape[0]
        log_j = np.full(n, -np.inf)
        moments = np.zeros((4, n))
        for sel, u, log_wu in self.groups:
            step = max(1, _CHUNK_NODES // u.shape[0])
            for start in range(0, sel.shape[0], step):
                idx = sel[start : start + step]
                span = (tenure[idx] - t_x[idx])[:, None]
                tau = t_x[idx][:, None] + span * u[None, :]
                xi = x[idx][:, None]
                l1a = np.log1p(tau / alpha)
                l1b = np.log1p(tau / beta)
                inv_a = 1.0 / (alpha + tau)
                inv_b = 1.0 / (beta + tau)
                lg = -r * l1a + xi * np.log(inv_a) - s * l1b + np.log(inv_b) + log_wu[None, :]
                top = lg.max(axis=1, keepdims=True)
                e = np.exp(lg - top)
                total = e.sum(axis=1)
                log_j[idx] = top[:, 0] + np.log(total) + np.log(span[:, 0])
                e /= total[:, None]
                moments[0, idx] = -(e * l1a).sum(axis=1)
                moments[1, idx] = (e * ((r * tau / alpha - xi) * inv_a)).sum(axis=1)
                moments[2, idx] = -(e * l1b).sum(axis=1)
                moments[3, idx] = (e * ((s * tau / beta - 1.0) * inv_b)).sum(axis=1)
        return log_j, moments


class ParetoNBD(PurchaseModel):
    """Pareto/NBD model of repeat purchases and drop-out.

    Assumptions: while active, a customer buys by a Poisson process with rate lambda,
    lambda ~ gamma(r, alpha); the customer's lifetime is exponential with rate mu,
    mu ~ gamma(s, beta); lambda and mu are independent across customers. Drop-out can happen
    at any time, not only at purchases (unlike BG/NBD). Only repeat purchases count.

    Parameters (``params_``): ``r``, ``alpha`` (purchase rate) and ``s``, ``beta`` (drop-out rate),
    alpha and beta in the time unit of the data.

    References: D. C. Schmittlein, D. G. Morrison and R. Colombo (1987), "Counting Your Customers:
    Who Are They and What Will They Do Next?", Management Science 33(1), 1-24;
    P. S. Fader, B. G. S. Hardie and K. L. Lee (2005), "RFM and CLV: Using Iso-Value Curves for
    Customer Base Analysis", Journal of Marketing Research 42(4), 415-430;
    P. S. Fader and B. G. S. Hardie (2005), "A Note on Deriving the Pareto/NBD Model and
    Related Expressions".
    """

    name: ClassVar[str] = "pareto_nbd"
    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")

    def _start(
        self, x: FloatArray, t_x: FloatArray, tenure: FloatArray, w: FloatArray
    ) -> FloatArray:
        mean_t = max(dot(w, tenure) / max(float(w.sum()), 1e-300), 1e-9)
        rate = (dot(w, x) + 0.1) / max(dot(w, tenure), 1e-9)
        return np.array([1.0, 1.0 / rate, 1.0, mean_t])

    def _fit_log_likelihood(
        self, x: FloatArray, t_x: FloatArray, tenure: FloatArray, w: FloatArray
    ) -> tuple[object, ...] | None:
        return (_Quadrature(x, t_x, tenure),)

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
        quad = prepared[0]
        assert isinstance(quad, _Quadrature)
        r, alpha, s, beta = params
        log_j, moments = quad.log_integral_and_moments(params, x, t_x, tenure)
        alive = _alive_part(params, x, tenure)
        died = np.log(s) + log_j
        mix = np.logaddexp(alive, died)
        ll = gammaln(r + x) - gammaln(r) + mix
        wd = np.exp(died - mix)  # share of the died-in-between branch
        wa = 1.0 - wd
        dr = digamma(r + x) - digamma(r) - wa * np.log1p(tenure / alpha) + wd * moments[0]
        dalpha = wa * (r * tenure / alpha - x) / (alpha + tenure) + wd * moments[1]
        ds = -wa * np.log1p(tenure / beta) + wd * (1.0 / s + moments[2])
        dbeta = wa * s * tenure / (beta * (beta + tenure)) + wd * moments[3]
        grad = np.array([dot(w, dr), dot(w, dalpha), dot(w, ds), dot(w, dbeta)])
        return dot(w, ll), grad

    def _log_likelihood_rows(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> FloatArray:
        return _on_unique_rows(self._unique_log_likelihood, params, x, t_x, tenure)

    def _unique_log_likelihood(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> FloatArray:
        r, _, s, _ = params
        alive = _alive_part(params, x, tenure)
        died = np.log(s) + log_integral(params, x, t_x, tenure)
        out: FloatArray = gammaln(r + x) - gammaln(r) + np.logaddexp(alive, died)
        return out

    def _log_p_alive(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> FloatArray:
        return _on_unique_rows(_log_p_alive, params, x, t_x, tenure)

    def _conditional_expected(
        self, params: FloatArray, t: float, x: FloatArray, t_x: FloatArray, tenure: FloatArray
    ) -> FloatArray:
        def expected(
            params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
        ) -> FloatArray:
            return _conditional_expected(params, t, x, t_x, tenure)

        return _on_unique_rows(expected, params, x, t_x, tenure)


def _on_unique_rows(
    fn: Callable[[FloatArray, FloatArray, FloatArray, FloatArray], FloatArray],
    params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    tenure: FloatArray,
) -> FloatArray:
    """Evaluate ``fn`` once per distinct history (the hypergeometric terms are costly)."""
    rows = compress((x, t_x, tenure))
    out: FloatArray = fn(params, *rows.columns)[rows.inverse]
    return out


def _log_p_alive(
    params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray
) -> FloatArray:
    """Per-row log P(alive) in closed form."""
    s = params[2]
    alive = _alive_part(params, x, tenure)
    died = np.log(s) + log_integral(params, x, t_x, tenure)
    out: FloatArray = alive - np.logaddexp(alive, died)
    return out


def _conditional_expected(
    params: FloatArray, t: float, x: FloatArray, t_x: FloatArray, tenure: FloatArray
) -> FloatArray:
    """Per-row expected purchases in (T, T + t] (Fader & Hardie 2005 note, eq. 20)."""
    r, alpha, s, beta = params
    log_ratio = np.log1p(t / (beta + tenure))  # ln((beta+tenure+t)/(beta+tenure))
    # (1 - ((beta+T)/(beta+T+t))^(s-1)) / (s-1), with its limit ln(...) at s = 1
    near_one = abs(s - 1.0) < 1e-9
    horizon = log_ratio if near_one else -np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0)
    scale = (r + x) * (beta + tenure) / (alpha + tenure)
    out: FloatArray = scale * horizon * np.exp(_log_p_alive(params, x, t_x, tenure))
    return out
