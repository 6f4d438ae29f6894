"""Likelihood, gradient and predictions shared by BG/NBD and MBG/NBD.

Both models let purchases follow a Poisson process with gamma(r, alpha) distributed rates and a
customer drop out with beta(a, b) distributed probability p. BG/NBD (Fader, Hardie & Lee 2005)
lets the drop-out happen after each repeat purchase; MBG/NBD (Batislam, Denizel & Filiztekin
2007) also right after the first purchase. With ``shift`` = 0 (BG/NBD) or 1 (MBG/NBD) one set of
formulas covers both:

    LL = ln G(r+x) - ln G(r) + r ln(alpha) + ln B(a, b+x+shift) - ln B(a, b)
         + logaddexp(-(r+x) ln(alpha+T), A4),
    A4 = ln a - ln(b+x+shift-1) - (r+x) ln(alpha+t_x)    (for x > 0, or any x when shift = 1)

The conditional expectation uses the Euler transformation of the Gauss hypergeometric function
so that it stays finite for customers with hundreds of purchases:

    (1-z)^(r+x) 2F1(r+x, b+x+shift; a+b+x+shift-1; z)
        = (1-z)^(a-1) 2F1(a+b+shift-1-r, a-1; a+b+x+shift-1; z).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import betaln, digamma, gammaln

from kunde.value._fitting import FloatArray, combine, dot, factorize
from kunde.value._special import hyp2f1

IntpArray = npt.NDArray[np.intp]

__all__ = [
    "Factors",
    "IndexedRows",
    "alive_and_expected",
    "conditional_expected_purchases",
    "fit_objective",
    "history_factors",
    "log_likelihood",
    "log_p_alive",
]


def _rate_part(r: FloatArray, alpha: FloatArray, x: FloatArray, t: FloatArray) -> FloatArray:
    """r ln(alpha) - (r+x) ln(alpha+t), written without cancellation for large r and alpha."""
    out: FloatArray = -r * np.log1p(t / alpha) - x * np.log(alpha + t)
    return out


def _rate_grad(
    r: FloatArray, alpha: FloatArray, x: FloatArray, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Derivatives of :func:`_rate_part` wrt r and alpha."""
    d_r: FloatArray = -np.log1p(t / alpha)
    d_alpha: FloatArray = (r * t / alpha - x) / (alpha + t)
    return d_r, d_alpha


def _terms(
    params: FloatArray, x: FloatArray, t_x: FloatArray, tenure: FloatArray, shift: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    r, alpha, a, b = params
    active = (x > 0) if shift == 0 else np.ones(x.shape, dtype=bool)
    bxs1 = np.where(active, b + x + shift - 1.0, 1.0)
    a3 = _rate_part(r, alpha, x, tenure)
    a4 = np.where(active, np.log(a) - np.log(bxs1) + _rate_part(r, alpha, x, t_x), -np.inf)
    mix = np.logaddexp(a3, a4)
    return a3, a4, mix, bxs1


Factors = tuple[tuple[FloatArray, IntpArray], ...]
"""(distinct values, index per row) of x, t_x and T, as :func:`factorize` gives them."""


def history_factors(x: FloatArray, t_x: FloatArray, tenure: FloatArray) -> Factors:
    """The distinct values of each history column, computed once for several predictions."""
    return factorize(x), factorize(t_x), factorize(tenure)


def _branches(
    params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    tenure: FloatArray,
    shift: int,
    factors: Factors | None = None,
) -> tuple[FloatArray, FloatArray]:
    """(alive branch, log-sum of both branches) per row, logarithms per distinct value."""
    r, alpha, a, b = (float(v) for v in params)
    (ux, ix), (ut, it), (u_end, i_end) = factors or history_factors(x, t_x, tenure)
    active = (ux > 0) if shift == 0 else np.ones(ux.shape, dtype=bool)
    log_a4 = np.where(
        active, np.log(a) - np.log(np.where(active, b + ux + shift - 1, 1.0)), -np.inf
    )
    a3 = (-r * np.log1p(u_end / alpha))[i_end] - x * np.log(alpha + u_end)[i_end]
    a4 = log_a4[ix] - (r * np.log1p(ut / alpha))[it] - x * np.log(alpha + ut)[it]
    d = a4 - a3
    mix = a3 + np.maximum(d, 0.0) + np.log1p(np.exp(-np.abs(d)))
    return a3, mix


def log_likelihood(
    params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    tenure: FloatArray,
    shift: int,
) -> tuple[FloatArray, FloatArray]:
    """Per-row log-likelihood and its analytic gradient wrt (r, alpha, a, b), shape (4, rows)."""
    r, alpha, a, b = params
    _, a4, mix, bxs1 = _terms(params, x, t_x, tenure, shift)
    ll = gammaln(r + x) - gammaln(r) + betaln(a, b + x + shift) - betaln(a, b) + mix
    w = np.exp(a4 - mix)  # share of the "dropped out at the last purchase" branch
    dr_alive, dalpha_alive = _rate_grad(r, alpha, x, tenure)
    dr_gone, dalpha_gone = _rate_grad(r, alpha, x, t_x)
    dr = digamma(r + x) - digamma(r) + (1.0 - w) * dr_alive + w * dr_gone
    dalpha = (1.0 - w) * dalpha_alive + w * dalpha_gone
    dab = digamma(a + b) - digamma(a + b + x + shift)
    da = dab + w / a
    db = dab + digamma(b + x + shift) - digamma(b) - w / bxs1
    return ll, np.stack([dr, dalpha, da, db])


class IndexedRows:
    """Histories split into their distinct x, t_x and T values, for a fast likelihood.

    The special functions of the likelihood depend on x only and the logarithms on t_x or T
    only, and purchase histories take few distinct values of each: computing them once per
    distinct value and gathering leaves a few multiply-adds and one log-sum-exp per row.
    """

    def __init__(self, x: FloatArray, t_x: FloatArray, tenure: FloatArray, w: FloatArray) -> None:
        self.x, self.w = x, w
        self.ux, self.ix = _unique(x)
        self.ut, self.it = _unique(t_x)
        self.uT, self.iT = _unique(tenure)
        self.wx = np.bincount(self.ix, weights=w, minlength=self.ux.size)


def _unique(values: FloatArray) -> tuple[FloatArray, IntpArray]:
    return factorize(values)


def fit_objective(params: FloatArray, rows: IndexedRows, shift: int) -> tuple[float, FloatArray]:
    """Summed weighted log-likelihood and gradient wrt (r, alpha, a, b) over indexed rows.

    The same function as :func:`log_likelihood` summed with weights, evaluated per distinct
    value (see :class:`IndexedRows`).
    """
    r, alpha, a, b = (float(v) for v in params)
    ux, x, w = rows.ux, rows.x, rows.w
    active = (ux > 0) if shift == 0 else np.ones(ux.shape, dtype=bool)
    bxs1 = np.where(active, b + ux + shift - 1.0, 1.0)
    log_a4 = np.where(active, np.log(a) - np.log(bxs1), -np.inf)
    per_x = gammaln(r + ux) - gammaln(r) + betaln(a, b + ux + shift) - betaln(a, b)
    l1_end, l2_end = np.log1p(rows.uT / alpha), np.log(alpha + rows.uT)
    l1_t, l2_t = np.log1p(rows.ut / alpha), np.log(alpha + rows.ut)
    a3 = -r * l1_end[rows.iT] - x * l2_end[rows.iT]
    a4 = log_a4[rows.ix] - r * l1_t[rows.it] - x * l2_t[rows.it]
    # log-sum-exp of the two branches by hand: np.logaddexp is several times slower
    d = a4 - a3
    e = np.exp(-np.abs(d))
    mix = a3 + np.maximum(d, 0.0) + np.log1p(e)
    ll = dot(rows.wx, per_x) + dot(w, mix)
    w_gone = w * np.where(d > 0, 1.0, e) / (1.0 + e)
    w_alive = w - w_gone
    n_t, n_end = rows.ut.size, rows.uT.size
    alive_end = np.bincount(rows.iT, weights=w_alive, minlength=n_end)
    alive_x_end = np.bincount(rows.iT, weights=w_alive * x, minlength=n_end)
    gone_t = np.bincount(rows.it, weights=w_gone, minlength=n_t)
    gone_x_t = np.bincount(rows.it, weights=w_gone * x, minlength=n_t)
    gone_x = np.bincount(rows.ix, weights=w_gone, minlength=ux.size)
    dr = dot(rows.wx, digamma(r + ux) - digamma(r)) - dot(alive_end, l1_end) - dot(gone_t, l1_t)
    dalpha = (
        dot(alive_end, r * rows.uT / alpha / (alpha + rows.uT))
        - dot(alive_x_end, 1.0 / (alpha + rows.uT))
        + dot(gone_t, r * rows.ut / alpha / (alpha + rows.ut))
        - dot(gone_x_t, 1.0 / (alpha + rows.ut))
    )
    dab = digamma(a + b) - digamma(a + b + ux + shift)
    da = dot(rows.wx, dab) + float(gone_x.sum()) / a
    db = dot(rows.wx, dab + digamma(b + ux + shift) - digamma(b)) - dot(gone_x, 1.0 / bxs1)
    return ll, np.array([dr, dalpha, da, db])


def log_p_alive(
    params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    tenure: FloatArray,
    shift: int,
    factors: Factors | None = None,
) -> FloatArray:
    """Log-probability that each customer is still active at T (the tenure)."""
    a3, mix = _branches(params, x, t_x, tenure, shift, factors)
    out: FloatArray = a3 - mix
    return out


def conditional_expected_purchases(
    params: FloatArray,
    t: float,
    x: FloatArray,
    t_x: FloatArray,
    tenure: FloatArray,
    shift: int,
    factors: Factors | None = None,
    log_alive: FloatArray | None = None,
) -> FloatArray:
    """Expected purchases in (T, T + t] (T = tenure) given each customer's history.

    The hypergeometric part depends on (x, T) only and is evaluated once per distinct pair.
    ``log_alive`` is :func:`log_p_alive` of the same rows when the caller has it already.
    """
    r, alpha, a, b = (float(v) for v in params)
    if abs(a - 1.0) < 1e-7:  # removable singularity of the closed form at a = 1
        a = 1.0 + 1e-7
    factors = factors or history_factors(x, t_x, tenure)
    (ux, ix), _, (u_end, i_end) = factors
    first, pair = combine((ix, i_end), (ux.size, u_end.size))
    px, p_end = x[first], tenure[first]
    z = t / (alpha + p_end + t)
    c = a + b + px + shift - 1.0
    tail = np.exp((a - 1.0) * np.log1p(-z)) * hyp2f1(a + b + shift - 1.0 - r, a - 1.0, c, z)
    expected = (c / (a - 1.0) * (1.0 - tail))[pair]
    if log_alive is None:
        log_alive = log_p_alive(params, x, t_x, tenure, shift, factors)
    out: FloatArray = expected * np.exp(log_alive)
    return out


def alive_and_expected(
    params: FloatArray,
    t: float,
    x: FloatArray,
    t_x: FloatArray,
    tenure: FloatArray,
    shift: int,
) -> tuple[FloatArray, FloatArray]:
    """(:func:`log_p_alive`, :func:`conditional_expected_purchases`) of the same rows, sharing
    the distinct values and the P(alive) term (the export needs both for every customer)."""
    factors = history_factors(x, t_x, tenure)
    log_alive = log_p_alive(params, x, t_x, tenure, shift, factors)
    expected = conditional_expected_purchases(params, t, x, t_x, tenure, shift, factors, log_alive)
    return log_alive, expected
