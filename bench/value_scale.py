"""Customer value at scale: fit + predictions for 1,000,000 simulated customers, kunde vs lifetimes.

The order lines are simulated from the BG/NBD process (CDNOW-like parameters in days, customers
acquired over one year, observed for two; 1 + Poisson(0.62) lines per order), about 4.6 lines
per customer. Each library then runs in its own child process, on the same lines, the same path:

- lifetimes: ``summary_data_from_transaction_data`` + ``BetaGeoFitter.fit`` + P(alive) +
  conditional expected purchases (1 year) + ``GammaGammaFitter.fit`` + expected spend.
- kunde: order lines -> per-customer days (what the store keeps up to date at import) ->
  ``summarize_customer_days`` + ``BGNBD.fit`` + the same predictions + ``GammaGamma.fit`` + expected
  spend, then (not in the comparison, reported separately) MBG/NBD, Pareto/NBD, CLV with
  discounting, RFM and segments for everyone.

That is the in-memory comparison. Then the whole processes (``_value_whole.py``): the lines as a
CSV file, imported into a SQLite store with ``kunde import orders`` (timed apart), and
``kunde value fit --model bgnbd`` + ``kunde value export`` against one lifetimes process that
reads the same file, summarises, fits, predicts and writes the same CSV.

Findings (2026-12-05 18:07 UTC, branch valscale7, machine shared, load 1.9-3.4): whole processes
4.7-4.9x wall / 3.9-4.0x CPU against lifetimes (target 10x, not met; main's code 4.6x / 3.9x in
the same runs); kunde's ~4.7 s of CPU are start-up (~0.55 s per process before any value code,
plus scipy ~0.3 s), SQLite writing the 1 M summaries (~1 s) and Arrow parsing them (~0.2 s), the
fits (~0.5 s), scoring (~0.25 s) and CSV (~0.4 s) (see bench/README.md).

Usage: ``python bench/value_scale.py [--customers N] [--skip-whole] [--store DIR]
[--whole-only] [--skip-all-models] [--baseline-python PYTHON]``; ``--store`` keeps the CSV and
the imported store (the import takes 4-15 min) for the next run, ``--whole-only`` reruns only
the whole processes, ``--baseline-python`` also times another kunde (e.g. main's) in the run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from _machine import machine, print_table, write_result

PARAMS = {"r": 0.243, "alpha": 4.414 * 7, "a": 0.793, "b": 2.426}  # CDNOW's, in days
SPEND = {"p": 6.25, "q": 3.74, "v": 15.44}
ACQUISITION_DAYS = 365
OBSERVATION_DAYS = 730
HORIZON_DAYS = 365.0
LINES_PER_ORDER = 1.62  # about 4.6 M lines for 1 M customers
EPOCH = np.datetime64("2024-01-01")


def simulate(n: int, seed: int = 20261123) -> dict[str, np.ndarray]:
    """Order lines of ``n`` customers from the BG/NBD process (vectorised over customers)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(PARAMS["r"], 1.0 / PARAMS["alpha"], n)
    p = rng.beta(PARAMS["a"], PARAMS["b"], n)
    first = rng.integers(0, ACQUISITION_DAYS, n).astype(np.float64)
    customers, times = [np.arange(n)], [first]
    t = first.copy()
    active = np.arange(n)
    while active.size:  # one round per purchase number, each vectorised over customers
        t_next = t[active] + rng.exponential(1.0 / lam[active])
        buys = t_next < OBSERVATION_DAYS
        active, t_next = active[buys], t_next[buys]
        t[active] = t_next
        customers.append(active)
        times.append(t_next)
        active = active[rng.random(active.size) >= p[active]]  # drop out after the purchase
    order_customer = np.concatenate(customers)
    order_day = np.floor(np.concatenate(times)).astype(np.int32)
    # spend per order from the Gamma-Gamma model (CDNOW's p, q, v), split over the order's lines
    nu = rng.gamma(SPEND["q"], 1.0 / SPEND["v"], n)
    order_value = rng.gamma(SPEND["p"], 1.0 / nu[order_customer])
    lines = 1 + rng.poisson(LINES_PER_ORDER - 1.0, order_customer.size)
    customer = np.repeat(order_customer, lines)
    day = np.repeat(order_day, lines)
    value = np.round(np.repeat(order_value / lines, lines), 2)
    return {"customer": customer, "day": day, "value": value}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Laps:
    """Seconds per named step: each call records the time since the previous one."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self._start = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = now - self._start
        self._start = now


def run_kunde(data: dict[str, np.ndarray]) -> dict[str, Any]:
    from kunde.value import (
        BGNBD,
        MBGNBD,
        GammaGamma,
        ParetoNBD,
        assign_segments,
        expected_value,
        high_value,
        rfm_scores,
        summarize_customer_days,
    )

    lap = Laps()
    steps = lap.steps
    # order lines -> per-customer days (kept by the store at import time in the product)
    span = int(data["day"].max()) + 1
    key = data["customer"].astype(np.int64) * span + data["day"]
    day_key, inverse = np.unique(key, return_inverse=True)
    day_value = np.bincount(inverse, weights=data["value"])
    lap("lines to customer days")
    summary = summarize_customer_days(
        day_key // span, day_key % span, day_value, as_of=OBSERVATION_DAYS - 1
    )
    x, t_x, T = summary.history("D")
    lap("summary")
    model = BGNBD().fit(x, t_x, T)
    lap("bgnbd fit")
    p_alive = model.conditional_probability_alive(x, t_x, T)
    expected = model.conditional_expected_purchases(HORIZON_DAYS, x, t_x, T)
    lap("bgnbd predictions")
    spend = GammaGamma().fit(x, summary.monetary)
    expected_spend = spend.conditional_expected_spend(x, summary.monetary)
    lap("gamma-gamma fit + spend")
    compared = sum(steps.values())

    mbg = MBGNBD().fit(x, t_x, T)
    mbg.conditional_expected_purchases(HORIZON_DAYS, x, t_x, T)
    lap("mbgnbd fit + predictions")
    pareto = ParetoNBD().fit(x, t_x, T)
    pareto.conditional_expected_purchases(HORIZON_DAYS, x, t_x, T)
    lap("pareto_nbd fit + predictions")
    value = expected_value(
        model,
        x,
        t_x,
        T,
        expected_spend,
        horizon=HORIZON_DAYS,
        unit_days=1.0,
        margin=0.3,
        annual_discount_rate=0.1,
    )
    lap("clv (12 monthly periods, discounted)")
    keep = summary.has_purchase
    scores = rfm_scores(summary.days_since_last[keep], x, summary.monetary)
    segments = assign_segments(scores, x)
    flags = high_value(value)
    lap("rfm + segments + high value")
    return {
        "steps_s": steps,
        "compared_s": compared,
        "peak_mib": _peak_mib(),
        "customers": int(x.size),
        "customer_days": int(day_key.size),
        "unique_rows": model.n_rows_,
        "params": {
            "bgnbd": model.params_,
            "mbgnbd": mbg.params_,
            "pareto_nbd": pareto.params_,
            "gamma_gamma": spend.params_,
        },
        "check": {
            "mean_p_alive": float(p_alive.mean()),
            "sum_expected": float(expected.sum()),
            "high_value": int(flags.sum()),
            "segments": int(np.unique(segments).size),
        },
    }


def run_lifetimes(data: dict[str, np.ndarray]) -> dict[str, Any]:
    import pandas as pd

    warnings.simplefilter("ignore")
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    frame = pd.DataFrame(
        {
            "customer": data["customer"],
            "date": EPOCH + data["day"].astype("timedelta64[D]"),
            "value": data["value"],
        }
    )
    lap = Laps()
    steps = lap.steps

    summary = summary_data_from_transaction_data(
        frame,
        "customer",
        "date",
        monetary_value_col="value",
        observation_period_end=EPOCH + np.timedelta64(OBSERVATION_DAYS - 1, "D"),
    )
    lap("summary")
    x, t_x, T = summary["frequency"], summary["recency"], summary["T"]
    model = BetaGeoFitter().fit(x, t_x, T)
    lap("bgnbd fit")
    p_alive = model.conditional_probability_alive(x, t_x, T)
    expected = model.conditional_expected_number_of_purchases_up_to_time(HORIZON_DAYS, x, t_x, T)
    lap("bgnbd predictions")
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    spend = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    spend.conditional_expected_average_profit(summary["frequency"], summary["monetary_value"])
    lap("gamma-gamma fit + spend")
    return {
        "steps_s": steps,
        "compared_s": sum(steps.values()),
        "peak_mib": _peak_mib(),
        "customers": len(summary),
        "params": {
            "bgnbd": {k: float(v) for k, v in model.params_.items()},
            "gamma_gamma": {k: float(v) for k, v in spend.params_.items()},
        },
        "check": {"mean_p_alive": float(np.mean(p_alive)), "sum_expected": float(expected.sum())},
    }


def child(which: str, path: str, output: str | None) -> None:
    if which == "lifetimes-csv":
        from _value_whole import lifetimes_from_csv

        assert output is not None
        print(json.dumps(lifetimes_from_csv(path, output), default=float))
        return
    with np.load(path) as npz:
        data = {k: npz[k] for k in npz.files}
    result = run_kunde(data) if which == "kunde" else run_lifetimes(data)
    print(json.dumps(result, default=float))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["kunde", "lifetimes", "lifetimes-csv"])
    parser.add_argument("--data")
    parser.add_argument("--output")
    parser.add_argument("--skip-whole", action="store_true")
    parser.add_argument(
        "--store", help="keep the lines and imported store in this directory and reuse them"
    )
    parser.add_argument("--skip-all-models", action="store_true", help="no all-model fit")
    parser.add_argument(
        "--baseline-python",
        help="also run fit + export with this interpreter's kunde (e.g. main's .venv/bin/python)",
    )
    parser.add_argument(
        "--whole-only",
        action="store_true",
        help="only the whole processes; keep the in-memory record of the last run",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.output)
        return

    t0 = time.perf_counter()
    data = simulate(args.customers)
    t_sim = time.perf_counter() - t0
    print(
        f"simulated {args.customers:,} customers, {data['customer'].size:,} order lines "
        f"in {t_sim:.1f} s",
        flush=True,
    )
    results: dict[str, Any] = {}
    if args.whole_only:
        last = json.loads((Path(__file__).parent / "results" / "value_scale.json").read_text())
        results = {"kunde": last["kunde"], "lifetimes": last["lifetimes"]}
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.store or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        path = str(Path(scratch) / "lines.npz")
        np.savez(path, **data)
        for which in () if args.whole_only else ("kunde", "lifetimes"):
            proc = subprocess.run(
                [sys.executable, __file__, "--child", which, "--data", path],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                raise SystemExit(f"{which} failed")
            results[which] = json.loads(proc.stdout.strip().splitlines()[-1])
        whole = None
        if not args.skip_whole:
            from _value_whole import whole_processes

            whole = whole_processes(
                data, EPOCH, Path(tmp), not args.skip_all_models, args.baseline_python
            )

    k, lt = results["kunde"], results["lifetimes"]
    rows = []
    for step in ("summary", "bgnbd fit", "bgnbd predictions", "gamma-gamma fit + spend"):
        ks = k["steps_s"][step] + (
            k["steps_s"]["lines to customer days"] if step == "summary" else 0.0
        )
        rows.append([step, ks, lt["steps_s"][step], lt["steps_s"][step] / ks])
    rows.append(
        [
            "total (compared path)",
            k["compared_s"],
            lt["compared_s"],
            lt["compared_s"] / k["compared_s"],
        ]
    )
    rows.append(["peak memory MiB", k["peak_mib"], lt["peak_mib"], lt["peak_mib"] / k["peak_mib"]])
    print_table(
        f"{args.customers:,} customers, {data['customer'].size:,} lines: seconds "
        "(kunde summary includes lines -> customer days)",
        ["step", "kunde", "lifetimes", "speed-up"],
        rows,
    )
    extra = [[step, s] for step, s in k["steps_s"].items()]
    print_table("kunde, every step (s)", ["step", "seconds"], extra)
    print(
        f"fit on {k['unique_rows']:,} unique (x, t_x, T) rows for {k['customers']:,} customers; "
        f"BG/NBD kunde {k['params']['bgnbd']} lifetimes {lt['params']['bgnbd']}"
    )
    if whole is not None:
        wrows = [
            [name, step["seconds"], step["cpu_s"], step["peak_mib"], step.get("load_average_1min")]
            for name, step in whole["steps"].items()
        ]
        print_table(
            "Whole processes on the same CSV (wall and CPU seconds, peak resident MiB, "
            "1-minute load average at the start)",
            ["process", "wall s", "CPU s", "peak MiB", "load"],
            wrows,
        )
        inner = [[name, v] for name, v in whole["lifetimes_inner_s"].items()]
        print_table("Inside the lifetimes process (s)", ["step", "seconds"], inner)
        print(
            f"kunde value fit --model bgnbd + export: {whole['kunde_fit_export_s']:.2f} s; "
            f"lifetimes process {whole['lifetimes_process_s']:.2f} s: "
            f"speed-up {whole['speed_up']:.2f}x wall, {whole['speed_up_cpu']:.2f}x CPU "
            f"({whole['speed_up_vs_lifetimes_compute_only']:.2f}x against lifetimes' summary + "
            "fit + predictions alone, without its imports and CSV reading/writing)"
        )
        base = whole.get("baseline")
        if base:
            print(
                f"baseline ({base['package']}): fit + export {base['fit_export_s']:.2f} s wall, "
                f"{base['fit_export_cpu_s']:.2f} s CPU: {base['speed_up']:.2f}x wall, "
                f"{base['speed_up_cpu']:.2f}x CPU against the same lifetimes process; "
                f"same export file: {base['same_export_file']}"
            )
    write_result(
        "value_scale",
        {
            "machine": machine("lifetimes", "pandas"),
            "customers": args.customers,
            "order_lines": int(data["customer"].size),
            "simulation": {
                "params_days": PARAMS,
                "acquisition_days": ACQUISITION_DAYS,
                "observation_days": OBSERVATION_DAYS,
            },
            "kunde": k,
            "lifetimes": lt,
            "speed_up": lt["compared_s"] / k["compared_s"],
            "whole_processes": whole,
        },
    )


if __name__ == "__main__":
    main()
