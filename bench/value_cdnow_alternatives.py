"""CDNOW holdout: the literature's alternatives to the stationary models, as prototypes.

Same data, split and measures as ``value_cdnow.py`` (39-week calibration to 1997-09-30, 39-week
holdout, MAE per customer and aggregate bias of the same conditional expectations), anchor
lifetimes' BG/NBD MAE, fitted in the same run (0.7855; kunde reproduces it to 4 digits). Every
parameter is fitted by maximum likelihood on the calibration window; nothing looks at the
holdout. These are measurement prototypes (numeric gradients, Gauss-Legendre quadrature on each
customer's [t_x, T]), not product models: none met the target, so none was built into
``kunde.value``.

- Gamma/Gompertz/NBD (Bemmaor & Glady 2012): Gompertz lifetimes, S(t | eta) =
  exp(-eta (e^(bt) - 1)), eta ~ Gamma(s, beta); b -> 0 is Pareto/NBD.
- Two-segment latent-class mixtures of Pareto/NBD, BG/NBD and MBG/NBD (9 parameters), with
  the posterior segment weights per customer.
- BG/BB (Fader, Hardie & Shang 2010), discrete time: purchase days out of daily opportunities,
  and purchase weeks out of weekly ones (scaled by the calibration's purchase days per week).
- Pareto/NBD with time-invariant covariates (Fader & Hardie 2007): alpha_i = alpha e^(-g1 z),
  beta_i = beta e^(-g2 z), z = centred log first-purchase value, log first-purchase CDs, cohort.

Usage: ``python bench/value_cdnow_alternatives.py`` (about a minute).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, expit, gammaln, logsumexp, roots_legendre

from _machine import machine, print_table, write_result
from kunde.value import (
    BGNBD,
    MBGNBD,
    ParetoNBD,
    aggregate_bias,
    holdout_mae,
    holdout_purchases,
    summarize_customer_days,
)
from value_cdnow import CALIBRATION_END, HOLDOUT_END, HORIZON_WEEKS, lifetimes_summary, load

NODES, WEIGHTS = roots_legendre(64)


class History:
    """Calibration histories, holdout counts and first-purchase covariates of the sample."""

    def __init__(self) -> None:
        data = load()
        purchase = data["cds"] > 0
        summary = summarize_customer_days(
            data["customer"],
            data["day"],
            data["value"],
            as_of=CALIBRATION_END,
            purchase_day=purchase,
        )
        self.actual = holdout_purchases(
            data["customer"],
            data["day"],
            after=CALIBRATION_END,
            until=HOLDOUT_END,
            purchase_day=purchase,
        )
        self.x, self.t_x, self.T = summary.history("W")
        self.data, self.purchase = data, purchase
        order = np.lexsort((data["day"], data["customer"]))
        customer = data["customer"][order]
        first = order[np.r_[True, customer[1:] != customer[:-1]]]
        value = np.zeros(self.x.shape[0])
        cds = np.zeros(self.x.shape[0])
        value[data["customer"][first]] = data["value"][first]
        cds[data["customer"][first]] = data["cds"][first]
        z = np.stack([np.log1p(value), np.log(np.maximum(cds, 1.0)), self.T / 39.0], axis=1)
        self.z = z - z.mean(axis=0)
        half = (self.T - self.t_x) / 2
        self.tau = (self.T + self.t_x)[:, None] / 2 + half[:, None] * NODES[None, :]
        with np.errstate(divide="ignore"):
            self.log_half = np.log(half)


def pareto_rows(
    h: History, r: float, alpha: Any, s: float, beta: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Pareto/NBD log-likelihood and holdout expectation per customer (alpha, beta per row)."""
    x, T = h.x, h.T
    a = np.broadcast_to(alpha, x.shape)
    b = np.broadcast_to(beta, x.shape)
    alive = -(r + x) * np.log(a + T) - s * np.log(b + T)
    inner = -(r + x)[:, None] * np.log(a[:, None] + h.tau) - (s + 1) * np.log(b[:, None] + h.tau)
    died = np.log(s) + h.log_half + logsumexp(inner, b=WEIGHTS[None, :], axis=1)
    ll = gammaln(r + x) - gammaln(r) + r * np.log(a) + s * np.log(b) + np.logaddexp(alive, died)
    p_alive = np.exp(alive - np.logaddexp(alive, died))
    t = HORIZON_WEEKS
    horizon = -np.expm1(-(s - 1) * np.log1p(t / (b + T))) / (s - 1)
    return ll, (r + x) * (b + T) / (a + T) * horizon * p_alive


def ggnbd_rows(h: History, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gamma/Gompertz/NBD log-likelihood and holdout expectation per customer."""
    r, alpha, b, s, beta = params
    x, T = h.x, h.T
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    alive = -(r + x) * np.log(alpha + T) + s * np.log(beta) - s * np.log(beta + np.expm1(b * T))
    inner = (
        -(r + x)[:, None] * np.log(alpha + h.tau)
        + np.log(s * b)
        + b * h.tau
        + s * np.log(beta)
        - (s + 1) * np.log(beta + np.expm1(b * h.tau))
    )
    died = h.log_half + logsumexp(inner, b=WEIGHTS[None, :], axis=1)
    p_alive = np.exp(alive - np.logaddexp(alive, died))
    t = HORIZON_WEEKS
    u = T[:, None] + t / 2 * (NODES[None, :] + 1)
    still = np.exp(s * (np.log(beta + np.expm1(b * T))[:, None] - np.log(beta + np.expm1(b * u))))
    alive_time = t / 2 * (still * WEIGHTS[None, :]).sum(axis=1)
    return head + np.logaddexp(alive, died), p_alive * (r + x) / (alpha + T) * alive_time


def opportunities(h: History, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BG/BB histories with periods of ``days``: repeat periods with a purchase, last, count."""
    cal = (h.data["day"] <= CALIBRATION_END) & h.purchase
    customer, day = h.data["customer"][cal], h.data["day"][cal].astype(np.int64)
    first = np.full(h.x.shape[0], np.iinfo(np.int64).max)
    np.minimum.at(first, customer, day)
    key = np.unique(customer * 1000 + (day - first[customer]) // days)
    owner, period = key // 1000, key % 1000
    x = np.bincount(owner, minlength=h.x.shape[0]) - 1
    t_x = np.zeros(h.x.shape[0], dtype=np.int64)
    np.maximum.at(t_x, owner, period)
    n = np.round(h.T * 7).astype(np.int64) // days
    return x, t_x, n


def bgbb_rows(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, n: np.ndarray, n_star: int
) -> tuple[np.ndarray, np.ndarray]:
    """Beta-geometric/beta-binomial (Fader, Hardie & Shang 2010) log-likelihood and the
    expected purchase periods in the next ``n_star`` periods, per customer."""
    a, b, g, d = params
    i = np.arange(int(n.max()))[None, :]
    head = betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, d + n) - betaln(g, d)
    died = (
        betaln(a + x[:, None], b + t_x[:, None] - x[:, None] + i)
        + betaln(g + 1, d + t_x[:, None] + i)
        - betaln(a, b)
        - betaln(g, d)
    )
    died = np.where(i < (n - t_x)[:, None], died, -np.inf)
    ll = np.logaddexp(head, logsumexp(died, axis=1))
    scale = betaln(a + x + 1, b + n - x) - betaln(a, b) + gammaln(g + d) - gammaln(1 + d)
    later = np.exp(gammaln(1 + d + n) - gammaln(g + d + n)) - np.exp(
        gammaln(1 + d + n + n_star) - gammaln(g + d + n + n_star)
    )
    return ll, np.exp(scale - ll) * d / (g - 1) * later


def maximise(
    rows: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], starts: list[np.ndarray]
) -> tuple[np.ndarray, float]:
    """Best of a few BFGS runs on the log-likelihood (numeric gradients: prototype only)."""

    def objective(theta: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            value = -float(rows(theta)[0].sum())
        return value if np.isfinite(value) else 1e12

    best = min((minimize(objective, s0, method="BFGS") for s0 in starts), key=lambda r: r.fun)
    return best.x, -float(best.fun)


def mixture(
    single: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Two-segment latent class: theta = log params of each segment, logit of the share."""

    def rows(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ll1, e1 = single(np.exp(theta[:4]))
        ll2, e2 = single(np.exp(theta[4:8]))
        w1, w2 = np.log(expit(theta[8])), np.log(expit(-theta[8]))
        ll = np.logaddexp(w1 + ll1, w2 + ll2)
        post = np.exp(w1 + ll1 - ll)
        return ll, post * e1 + (1 - post) * e2

    return rows


def kunde_rows(model: Any, h: History) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    def rows(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        model.params_ = dict(zip(model.param_names, (float(p) for p in params), strict=True))
        ll = model.log_likelihood(h.x, h.t_x, h.T)
        return ll, model.conditional_expected_purchases(HORIZON_WEEKS, h.x, h.t_x, h.T)

    return rows


def print_results(title: str, results: dict[str, dict[str, Any]]) -> None:
    """The holdout table: calibration LL, BIC, MAE, ratio to the anchor and bias per model."""
    print_table(
        title,
        ["model", "calibration LL", "BIC", "MAE", "ratio", "bias"],
        [
            [
                m,
                f"{r['log_likelihood']:.1f}",
                f"{r['bic']:.1f}",
                r["mae"],
                r["ratio"],
                f"{r['bias']:+.1%}",
            ]
            for m, r in results.items()
        ],
    )


def holdout_row(
    h: History, ll: float, k: int, predicted: np.ndarray, anchor_mae: float
) -> dict[str, float]:
    """One approach's row: calibration log-likelihood and BIC (``k`` parameters), holdout MAE,
    its ratio to the anchor's MAE, and the aggregate bias."""
    mae = holdout_mae(h.actual, predicted)
    return {
        "log_likelihood": ll,
        "bic": -2 * ll + k * float(np.log(h.x.shape[0])),
        "mae": mae,
        "ratio": mae / anchor_mae,
        "bias": aggregate_bias(h.actual, predicted),
    }


def lifetimes_bgnbd_mae() -> float:
    """The anchor: lifetimes' BG/NBD holdout MAE on its own summary of the same data and split."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lifetimes import BetaGeoFitter

        summary = lifetimes_summary(load()).sort_index()
        x, t_x, T = (summary[c].to_numpy() for c in ("frequency_cal", "recency_cal", "T_cal"))
        model = BetaGeoFitter().fit(x, t_x, T)
        predicted = model.conditional_expected_number_of_purchases_up_to_time(
            HORIZON_WEEKS, x, t_x, T
        )
    return holdout_mae(summary["frequency_holdout"].to_numpy(), np.asarray(predicted, float))


def main() -> None:
    h = History()
    anchor_mae = lifetimes_bgnbd_mae()
    results: dict[str, dict[str, float]] = {}

    def record(label: str, ll: float, k: int, predicted: np.ndarray) -> None:
        results[label] = holdout_row(h, ll, k, predicted, anchor_mae)

    base: dict[str, np.ndarray] = {}
    for model in (BGNBD(), MBGNBD(), ParetoNBD()):
        model.fit(h.x, h.t_x, h.T)
        params = np.array([model.params_[p] for p in model.param_names])
        base[model.name] = params
        predicted = model.conditional_expected_purchases(HORIZON_WEEKS, h.x, h.t_x, h.T)
        record(model.name, model.log_likelihood_, 4, predicted)

    # Gamma/Gompertz/NBD from the Pareto/NBD fit with a small Gompertz b.
    r, alpha, s, beta = base["pareto_nbd"]
    ggnbd = lambda theta: ggnbd_rows(h, np.exp(theta))  # noqa: E731
    theta, ll = maximise(ggnbd, [np.log([r, alpha, 0.01, s, beta * 0.01])])
    record("gg_nbd", ll, 5, ggnbd(theta)[1])
    gompertz_b = float(np.exp(theta[2]))

    # Two-segment mixtures, started from the single fit split apart in several directions.
    for name, single in (
        ("pareto_nbd", lambda p: pareto_rows(h, *p)),
        ("bgnbd", kunde_rows(BGNBD(), h)),
        ("mbgnbd", kunde_rows(MBGNBD(), h)),
    ):
        starts = [
            np.r_[np.log(base[name] * m), np.log(base[name] / m), 0.0]
            for m in (np.array([0.5, 1, 1, 1]), np.array([1, 1, 0.3, 1]), np.array([1, 0.5, 1, 2]))
        ]
        theta, ll = maximise(mixture(single), starts)
        record(f"2-segment {name}", ll, 9, mixture(single)(theta)[1])

    # BG/BB on days (purchase days out of day opportunities) and on weeks (weeks with a
    # purchase; x days per purchase-week of the calibration window to count days again).
    for days in (1, 7):
        bx, btx, bn = opportunities(h, days)
        per_period = float(h.x.sum() / bx.sum())
        bgbb = lambda theta, bx=bx, btx=btx, bn=bn, days=days: bgbb_rows(  # noqa: E731
            np.exp(theta), bx, btx, bn, round(HORIZON_WEEKS * 7) // days
        )
        theta, ll = maximise(bgbb, [np.log([1.0, 10.0, 1.0, 10.0])])
        label = "bg_bb daily" if days == 1 else f"bg_bb weekly x {per_period:.3f} days per week"
        # LL of a different likelihood (periods, not times): not comparable with the others
        record(label, float("nan"), 4, bgbb(theta)[1] * per_period)

    # Pareto/NBD with first-purchase covariates on both rates.
    for label, columns in (
        ("log first value", [0]),
        ("log first CDs", [1]),
        ("cohort", [2]),
        ("value + CDs + cohort", [0, 1, 2]),
    ):
        z = h.z[:, columns]
        k = z.shape[1]

        def with_covariates(theta: np.ndarray, z: np.ndarray = z, k: int = k) -> Any:
            r, alpha, s, beta = np.exp(theta[:4])
            a = alpha * np.exp(-z @ theta[4 : 4 + k])
            b = beta * np.exp(-z @ theta[4 + k :])
            return pareto_rows(h, r, a, s, b)

        theta, ll = maximise(with_covariates, [np.r_[np.log(base["pareto_nbd"]), np.zeros(2 * k)]])
        record(f"pareto_nbd + {label}", ll, 4 + 2 * k, with_covariates(theta)[1])

    print_results(
        f"CDNOW 39-week holdout, alternatives (ratio = MAE / lifetimes BG/NBD {anchor_mae:.4f})",
        results,
    )
    print(f"\nGamma/Gompertz/NBD: Gompertz b = {gompertz_b:.2g} (b -> 0 is Pareto/NBD)")
    write_result(
        "value_cdnow_alternatives",
        {
            "machine": machine(),
            "anchor_lifetimes_bgnbd_mae": anchor_mae,
            "gompertz_b": gompertz_b,
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
