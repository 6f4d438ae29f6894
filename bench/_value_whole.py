"""Whole processes for ``value_scale.py``: the kunde CLI on a store against a lifetimes script.

Both sides start from the same order-line file (canonical CSV, one line per row):

- kunde: ``kunde import orders`` into a fresh SQLite store (timed, not compared), then
  ``kunde value fit --model bgnbd --time-unit D`` and ``kunde value export`` (compared), each a
  new process; also ``kunde value fit`` with all three purchase models (reported).
- lifetimes: one process that reads the file with pandas, runs
  ``summary_data_from_transaction_data``, ``BetaGeoFitter`` + P(alive) + expected purchases,
  ``GammaGammaFitter`` + expected spend, and writes the same per-customer CSV.

Each process's CPU time and peak resident memory come from GNU time (``/usr/bin/time``), with
the 1-minute load average when it started. The kunde packages are byte-compiled first, so
start-up is not compilation. ``baseline_python`` also runs another kunde's fit and export (e.g.
main's, ``/work/main/.venv/bin/python``) on the same store in the same run.
The record of 2026-12-04 took them from ``os.wait4`` instead, whose peak is floored by the
bench's own resident size at spawn: its peaks are upper bounds only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

HORIZON_DAYS = 365


def write_lines_csv(data: dict[str, np.ndarray], epoch: np.datetime64, path: Path) -> None:
    """The simulated lines as a canonical order-line CSV: one order per customer and day."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    n = data["customer"].size
    customer = data["customer"].astype(np.int64)
    stamp = (epoch + data["day"].astype("timedelta64[D]")).astype("datetime64[s]")
    order = customer * 10_000 + data["day"]
    table = pa.table(
        {
            "order_id": pa.array(order.astype(str)),
            "customer_id": pa.array(customer.astype(str)),
            "ordered_at": pa.array(stamp + np.timedelta64(12, "h")),
            "product_id": pa.array((np.arange(n) % 5_000).astype(str)),
            "quantity": pa.array(np.ones(n, dtype=np.int64)),
            "amount": pa.array(data["value"]),
        }
    )
    pacsv.write_csv(table, path)


def _run(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Wall seconds, CPU seconds, peak resident MiB and stdout of one process.

    The peak comes from GNU time, which forks the command from its own small process: a child
    forked from this (large) process would report at least this process's resident size.
    """
    load = os.getloadavg()[0]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%U %S %M", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(
                f"{' '.join(args[:5])} failed ({proc.returncode}): {proc.stderr[-2000:]}"
            )
        user, system, peak_kib = report.read().split()[-3:]
    return {
        "load_average_1min": load,
        "seconds": seconds,
        "cpu_s": float(user) + float(system),
        "peak_mib": int(peak_kib) / 1024,
        "stdout": proc.stdout,
    }


def _compile(python: str) -> str:
    """Byte-compile the kunde package ``python`` imports (start-up is then not compilation);
    returns the package's directory."""
    where = subprocess.run(
        [python, "-c", "import os, kunde; print(os.path.dirname(kunde.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", where], check=True, capture_output=True)
    return where


def _fit_export(
    python: str, env: dict[str, str], output: Path, label: str
) -> dict[str, dict[str, Any]]:
    """``kunde value fit --model bgnbd`` then ``kunde value export`` with ``python``."""
    kunde = [python, "-c", "from kunde.cli import main; main()"]
    steps = {}
    steps[f"{label}value fit --model bgnbd"] = _run(
        [*kunde, "value", "fit", "--model", "bgnbd", "--time-unit", "D", "--json"], env
    )
    steps[f"{label}value export"] = _run(
        [*kunde, "value", "export", "--output", str(output), "--horizon-days", str(HORIZON_DAYS)],
        env,
    )
    return steps


def whole_processes(
    data: dict[str, np.ndarray],
    epoch: np.datetime64,
    tmp: Path,
    all_models: bool = True,
    baseline_python: str | None = None,
) -> dict[str, Any]:
    """Run both sides as processes on the same file; returns seconds and peak memory per step.

    With ``baseline_python`` (an interpreter with another kunde installed, e.g. main's), that
    kunde's fit and export run on the same store right after this one's, with its own data
    directory.
    """
    lines = tmp / "lines.csv"
    reuse = (tmp / "imported").exists()  # a store kept by an earlier run (--store DIR)
    if not reuse:
        write_lines_csv(data, epoch, lines)
    kunde = [sys.executable, "-c", "from kunde.cli import main; main()"]
    env = {
        **os.environ,
        "KUNDE_DATABASE_URL": f"sqlite:///{tmp / 'kunde.db'}",
        "KUNDE_DATA_DIR": str(tmp / "data"),
    }
    compiled = {"kunde": _compile(sys.executable)}
    if baseline_python:
        compiled["baseline"] = _compile(baseline_python)
    steps: dict[str, dict[str, Any]] = {}
    if reuse:
        _run([*kunde, "init"], env)  # a store kept by an older version: migrate it first
        steps["kunde import orders (not compared)"] = json.loads(
            (tmp / "imported").read_text(encoding="utf-8")
        )
    else:
        _run([*kunde, "init"], env)
        steps["kunde import orders (not compared)"] = _run(
            [*kunde, "import", "orders", str(lines), "--json"], env
        )
        steps["kunde import orders (not compared)"].pop("stdout")
        (tmp / "imported").write_text(
            json.dumps(steps["kunde import orders (not compared)"]), encoding="utf-8"
        )
    print("imported", flush=True)
    steps.update(_fit_export(sys.executable, env, tmp / "kunde_values.csv", "kunde "))
    if baseline_python:
        base_env = {**env, "KUNDE_DATA_DIR": str(tmp / "data-baseline")}
        steps.update(
            _fit_export(baseline_python, base_env, tmp / "baseline_values.csv", "baseline: kunde ")
        )
    steps["lifetimes script"] = _run(
        [
            sys.executable,
            str(Path(__file__).with_name("value_scale.py")),
            "--child",
            "lifetimes-csv",
            "--data",
            str(lines),
            "--output",
            str(tmp / "lifetimes_values.csv"),
        ],
        env,
    )
    if all_models:
        steps["kunde value fit (all models, not compared)"] = _run(
            [*kunde, "value", "fit", "--time-unit", "D", "--json"], env
        )
    fitted = json.loads(steps["kunde value fit --model bgnbd"]["stdout"])
    same_export = None
    if baseline_python:
        same_export = (tmp / "kunde_values.csv").read_bytes() == (
            tmp / "baseline_values.csv"
        ).read_bytes()
    life = json.loads(steps["lifetimes script"]["stdout"].strip().splitlines()[-1])
    for step in steps.values():
        step.pop("stdout", None)
    compared = ("kunde value fit --model bgnbd", "kunde value export")
    kunde_s = sum(steps[name]["seconds"] for name in compared)
    kunde_cpu = sum(steps[name]["cpu_s"] for name in compared)
    baseline = None
    if baseline_python:
        names = ("baseline: kunde value fit --model bgnbd", "baseline: kunde value export")
        base_s = sum(steps[name]["seconds"] for name in names)
        base_cpu = sum(steps[name]["cpu_s"] for name in names)
        baseline = {
            "python": baseline_python,
            "package": compiled["baseline"],
            "fit_export_s": base_s,
            "fit_export_cpu_s": base_cpu,
            "speed_up": steps["lifetimes script"]["seconds"] / base_s,
            "speed_up_cpu": steps["lifetimes script"]["cpu_s"] / base_cpu,
            "same_export_file": same_export,
        }
    return {
        "kunde_package": compiled["kunde"],
        "baseline": baseline,
        "lines_csv_mib": lines.stat().st_size / 2**20,
        "steps": steps,
        "kunde_fit_export_s": kunde_s,
        "lifetimes_process_s": steps["lifetimes script"]["seconds"],
        "lifetimes_inner_s": life["steps_s"],
        "speed_up": steps["lifetimes script"]["seconds"] / kunde_s,
        "kunde_fit_export_cpu_s": kunde_cpu,
        "speed_up_cpu": steps["lifetimes script"]["cpu_s"] / kunde_cpu,
        "speed_up_vs_lifetimes_compute_only": (
            life["steps_s"]["summary"]
            + life["steps_s"]["bgnbd fit + predictions"]
            + life["steps_s"]["gamma-gamma fit + spend"]
        )
        / kunde_s,
        "params": {"kunde": fitted["bgnbd"]["params"], "lifetimes": life["params"]},
    }


def lifetimes_from_csv(path: str, output: str) -> dict[str, Any]:
    """The lifetimes side as one process: read, summarise, fit, predict, write."""
    start = time.perf_counter()
    steps: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal start
        now = time.perf_counter()
        steps[name] = now - start
        start = now

    import pandas as pd

    warnings.simplefilter("ignore")
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    lap("imports")
    frame = pd.read_csv(
        path, usecols=["customer_id", "ordered_at", "amount"], parse_dates=["ordered_at"]
    )
    lap("read lines")
    summary = summary_data_from_transaction_data(
        frame,
        "customer_id",
        "ordered_at",
        monetary_value_col="amount",
        observation_period_end=frame["ordered_at"].max(),
    )
    lap("summary")
    x, t_x, T = summary["frequency"], summary["recency"], summary["T"]
    model = BetaGeoFitter().fit(x, t_x, T)
    p_alive = model.conditional_probability_alive(x, t_x, T)
    expected = model.conditional_expected_number_of_purchases_up_to_time(HORIZON_DAYS, x, t_x, T)
    lap("bgnbd fit + predictions")
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    spend_model = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    spend = spend_model.conditional_expected_average_profit(
        summary["frequency"], summary["monetary_value"]
    )
    lap("gamma-gamma fit + spend")
    pd.DataFrame(
        {
            "frequency": x,
            "recency_days": t_x,
            "tenure_days": T,
            "monetary": summary["monetary_value"].round(2),
            "p_alive": np.round(p_alive, 6),
            "expected_purchases": np.round(expected, 6),
            "expected_value": np.round(expected * spend, 2),
        }
    ).to_csv(output)
    lap("write predictions")
    return {
        "steps_s": steps,
        "params": {k: float(v) for k, v in model.params_.items()},
        "customers": len(summary),
    }
