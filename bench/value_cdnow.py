"""Customer value on CDNOW: 39-week calibration, 39-week holdout, kunde beside lifetimes.

Both libraries run in the same process on the same transactions (the CDNOW 1/10 sample, 2,357
customers): summary from the purchase rows, the fits (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma),
and the conditional expected purchases for the 39-week holdout, scored by mean absolute error
per customer, aggregate bias and the Fader-Hardie table of mean holdout purchases by
calibration frequency. kunde also tries what the literature offers against the stationary
models' holdout bias: model choice by likelihood and by holdout, and model averaging.

Findings (2026-11-23): kunde reproduces lifetimes to 4+ digits. Pareto/NBD is the best single
model (MAE 0.961x lifetimes' BG/NBD, bias -11.5 %); averaging does not help; time-invariant
covariates (log first-purchase value, CDs in the first purchase, cohort) on alpha/beta (and
a, b for BG/NBD) raise the calibration likelihood by ~23 points but leave the holdout MAE and
bias unchanged (tried in a prototype, not shipped). Most of the shortfall is customers with no
repeat purchase coming back in the holdout (0.237 actual vs 0.138-0.225 predicted); the holdout
holds the 1997 Christmas season, which no stationary model calibrated on Jan-Sep can foresee.
The 0.95x MAE and +-10 % bias targets are not met.

Usage: ``python bench/value_cdnow.py``.
Data: Bruce Hardie's CDNOW sample as shipped in lifetimes 0.11.3 (MIT).
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

from _machine import SHARED_DATA, machine, print_table, write_result
from kunde.value import (
    BGNBD,
    MBGNBD,
    GammaGamma,
    ParetoNBD,
    aggregate_bias,
    frequency_table,
    holdout_mae,
    holdout_purchases,
    select_by_likelihood,
    summarize_customer_days,
)

SAMPLE = SHARED_DATA / "cdnow" / "CDNOW_sample.txt"
CALIBRATION_END = np.datetime64("1997-09-30")
HOLDOUT_END = np.datetime64("1998-06-30")
HORIZON_WEEKS = float((HOLDOUT_END - CALIBRATION_END).astype(int)) / 7
PUBLISHED = {
    "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "pareto_nbd": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "v": 15.44},
}


def load() -> dict[str, np.ndarray]:
    raw = np.loadtxt(SAMPLE, dtype=str)
    dates = np.array([f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in raw[:, 2]], dtype="datetime64[D]")
    return {
        "customer": raw[:, 1].astype(np.int64) - 1,
        "day": dates,
        "cds": raw[:, 3].astype(np.int64),
        "value": raw[:, 4].astype(np.float64),
    }


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def run_kunde(data: dict[str, np.ndarray]) -> dict[str, Any]:
    purchase = data["cds"] > 0

    def summarise() -> tuple[Any, np.ndarray]:
        summary = summarize_customer_days(
            data["customer"],
            data["day"],
            data["value"],
            as_of=CALIBRATION_END,
            purchase_day=purchase,
        )
        holdout = holdout_purchases(
            data["customer"],
            data["day"],
            after=CALIBRATION_END,
            until=HOLDOUT_END,
            purchase_day=purchase,
        )
        return summary, holdout

    (summary, holdout), t_summary = timed(summarise)
    x, t_x, T = summary.history("W")
    out: dict[str, Any] = {"summary_s": t_summary, "models": {}, "holdout": holdout, "x": x}
    fitted = {}
    for model in (BGNBD(), MBGNBD(), ParetoNBD()):
        _, t_fit = timed(model.fit, x, t_x, T)
        predicted, t_pred = timed(model.conditional_expected_purchases, HORIZON_WEEKS, x, t_x, T)
        fitted[model.name] = model
        out["models"][model.name] = {
            "params": model.params_,
            "log_likelihood": model.log_likelihood_,
            "fit_s": t_fit,
            "predict_s": t_pred,
            "predicted": predicted,
        }
    spend = GammaGamma()
    _, t_gg = timed(spend.fit, x, summary.monetary)
    out["models"]["gamma_gamma"] = {"params": spend.params_, "fit_s": t_gg}
    out["chosen_by_likelihood"] = select_by_likelihood(fitted).best
    return out


def run_lifetimes(data: dict[str, np.ndarray]) -> dict[str, Any]:
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lifetimes import (
            BetaGeoFitter,
            GammaGammaFitter,
            ModifiedBetaGeoFitter,
            ParetoNBDFitter,
        )
        from lifetimes.utils import calibration_and_holdout_data

        frame = pd.DataFrame(
            {"customer": data["customer"], "date": data["day"], "value": data["value"]}
        )

        def summarise() -> Any:
            return calibration_and_holdout_data(
                frame,
                "customer",
                "date",
                calibration_period_end="1997-09-30",
                observation_period_end="1998-06-30",
                freq="D",
                freq_multiplier=7,
                monetary_value_col="value",
            )

        summary, t_summary = timed(summarise)
        summary = summary.sort_index()
        x = summary["frequency_cal"].to_numpy()
        t_x = summary["recency_cal"].to_numpy()
        T = summary["T_cal"].to_numpy()
        out: dict[str, Any] = {"summary_s": t_summary, "models": {}}
        for name, cls in (
            ("bgnbd", BetaGeoFitter),
            ("mbgnbd", ModifiedBetaGeoFitter),
            ("pareto_nbd", ParetoNBDFitter),
        ):
            model = cls()
            _, t_fit = timed(model.fit, x, t_x, T)
            predicted, t_pred = timed(
                model.conditional_expected_number_of_purchases_up_to_time,
                HORIZON_WEEKS,
                x,
                t_x,
                T,
            )
            out["models"][name] = {
                "params": {k: float(v) for k, v in model.params_.items()},
                "fit_s": t_fit,
                "predict_s": t_pred,
                "predicted": np.asarray(predicted, dtype=float),
            }
        repeat = summary[summary["frequency_cal"] > 0]
        spend = GammaGammaFitter()
        _, t_gg = timed(spend.fit, repeat["frequency_cal"], repeat["monetary_value_cal"])
        out["models"]["gamma_gamma"] = {
            "params": {k: float(v) for k, v in spend.params_.items()},
            "fit_s": t_gg,
        }
        out["holdout"] = summary["frequency_holdout"].to_numpy()
        out["x"] = x
    return out


def main() -> None:
    data = load()
    kunde = run_kunde(data)
    life = run_lifetimes(data)
    actual = kunde["holdout"]
    assert np.array_equal(actual, life["holdout"]), "holdout counts differ between libraries"

    base_mae = holdout_mae(actual, life["models"]["bgnbd"]["predicted"])
    rows, scores = [], {}
    for name in ("bgnbd", "mbgnbd", "pareto_nbd"):
        k, lt = kunde["models"][name], life["models"][name]
        k_mae, l_mae = holdout_mae(actual, k["predicted"]), holdout_mae(actual, lt["predicted"])
        k_bias = aggregate_bias(actual, k["predicted"])
        l_bias = aggregate_bias(actual, lt["predicted"])
        scores[name] = {
            "mae": k_mae,
            "bias": k_bias,
            "lifetimes_mae": l_mae,
            "lifetimes_bias": l_bias,
        }
        rows.append(
            [
                name,
                k_mae,
                l_mae,
                k_mae / base_mae,
                f"{k_bias:+.1%}",
                f"{l_bias:+.1%}",
                k["fit_s"],
                lt["fit_s"],
                lt["fit_s"] / k["fit_s"],
            ]
        )

    # What the literature offers against the bias: choice by likelihood, averaging.
    preds = {n: kunde["models"][n]["predicted"] for n in ("bgnbd", "mbgnbd", "pareto_nbd")}
    combos = {
        f"chosen by likelihood ({kunde['chosen_by_likelihood']})": preds[
            kunde["chosen_by_likelihood"]
        ],
        "average of the three": np.mean(list(preds.values()), axis=0),
        "average bgnbd + pareto_nbd": (preds["bgnbd"] + preds["pareto_nbd"]) / 2,
    }
    for label, pred in combos.items():
        mae, bias = holdout_mae(actual, pred), aggregate_bias(actual, pred)
        scores[label] = {"mae": mae, "bias": bias}
        rows.append([label, mae, "", mae / base_mae, f"{bias:+.1%}", "", "", "", ""])

    print_table(
        "CDNOW 39-week holdout: MAE per customer, aggregate bias (ratio = MAE / lifetimes BG/NBD)",
        [
            "model",
            "kunde MAE",
            "lifetimes MAE",
            "ratio",
            "kunde bias",
            "lifetimes bias",
            "kunde fit s",
            "lifetimes fit s",
            "fit speed-up",
        ],
        rows,
    )

    param_rows = []
    for name, published in PUBLISHED.items():
        for p, value in published.items():
            got = kunde["models"][name]["params"][p]
            ref = life["models"][name]["params"][p]
            param_rows.append([name, p, value, got, f"{got / value - 1:+.2%}", ref])
    print_table(
        "Parameters vs published (Fader, Hardie & Lee 2005)",
        ["model", "param", "published", "kunde", "kunde vs published", "lifetimes"],
        param_rows,
    )

    tables = {}
    x = kunde["x"]
    header = ["calibration frequency", "customers", "actual"]
    freq_rows: list[list[Any]] = []
    for name in ("bgnbd", "mbgnbd", "pareto_nbd"):
        table = frequency_table(x, actual, kunde["models"][name]["predicted"])
        tables[name] = table.rows()
        header.append(name)
        for i, row in enumerate(table.rows()):
            if len(freq_rows) <= i:
                freq_rows.append([row["frequency"], row["customers"], row["actual"]])
            freq_rows[i].append(row["predicted"])
    print_table("Mean holdout purchases by calibration frequency (kunde)", header, freq_rows)

    timing = [
        [
            "summary from rows",
            kunde["summary_s"],
            life["summary_s"],
            life["summary_s"] / kunde["summary_s"],
        ]
    ]
    print_table("Summary timing (s)", ["step", "kunde", "lifetimes", "speed-up"], timing)

    for lib in (kunde, life):
        for m in lib["models"].values():
            m.pop("predicted", None)
    write_result(
        "value_cdnow",
        {
            "machine": machine("lifetimes", "pandas"),
            "horizon_weeks": HORIZON_WEEKS,
            "holdout_purchases": float(actual.sum()),
            "scores": scores,
            "target": {"mae_at_most": 0.95 * base_mae, "bias_within": 0.10},
            "kunde": {k: v for k, v in kunde.items() if k not in ("holdout", "x")},
            "lifetimes": {k: v for k, v in life.items() if k not in ("holdout", "x")},
            "frequency_tables": tables,
        },
    )


if __name__ == "__main__":
    main()
