"""Holdout evaluation of the purchase models on the store's customer days, with plots.

The histories come from ``customer_days`` (what the import keeps up to date), never from the
order lines: the calibration summary is taken as of the calibration end, the holdout counts are
the purchase days after it. Every model is fitted on the calibration histories only.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from kunde import _svg
from kunde._engine.value import UNIT_DAYS, fit_purchase_models
from kunde.errors import InputError, InvalidFieldError
from kunde.store import Store
from kunde.value import (
    PurchaseModel,
    aggregate_bias,
    frequency_table,
    holdout_mae,
    holdout_purchases,
    p_alive_matrix,
    select_by_likelihood,
    summarize_customer_days,
)

__all__ = ["evaluate"]

_EPOCH = date(1970, 1, 1)
MAX_FREQUENCY = 7  # the Fader-Hardie table pools 7 and more ("7+")


def _day(value: int) -> date:
    return _EPOCH + timedelta(days=value)


def _number(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def evaluate(
    store: Store,
    calibration_end: date,
    holdout_end: date | None = None,
    time_unit: str = "W",
    plot_dir: Path | None = None,
) -> dict[str, Any]:
    """Fit every purchase model on the calibration window and score it on the holdout window.

    Args:
        store: the store to read customer days from.
        calibration_end: last day of the calibration window (inclusive).
        holdout_end: last day of the holdout window (inclusive); default the latest stored day.
        time_unit: D (days) or W (weeks) for the fits.
        plot_dir: where to write the plots (SVG); none when ``None``.

    Returns:
        The JSON-ready evaluation: windows, customers, per-model parameters, MAE and bias, the
        Fader-Hardie table and (with ``plot_dir``) the written plot files.

    Raises:
        InvalidFieldError: unknown time unit, or the holdout window is empty.
        InputError: no purchases in the calibration window, or none in the holdout window.
        ConvergenceError: no model could be fitted.
    """
    if time_unit not in UNIT_DAYS:
        raise InvalidFieldError("time_unit", "must be D (days) or W (weeks)")
    rows = store.value.customer_days(holdout_end)
    purchase = rows.purchase_lines > 0
    if not np.any(purchase):
        raise InputError("no purchases stored: import orders first")
    cal = (calibration_end - _EPOCH).days
    end = (holdout_end - _EPOCH).days if holdout_end is not None else int(rows.day.max())
    if end <= cal:
        raise InvalidFieldError(
            "holdout_end", "must be after the calibration end (and orders must be stored after it)"
        )
    n = int(rows.customer_ids.shape[0])
    value = rows.purchased + rows.returned
    summary = summarize_customer_days(
        rows.customer, rows.day, value, as_of=cal, purchase_day=purchase, n_customers=n
    )
    if not np.any(summary.has_purchase):
        raise InputError(f"no purchases up to the calibration end {calibration_end.isoformat()}")
    holdout = holdout_purchases(
        rows.customer, rows.day, after=cal, until=end, purchase_day=purchase, n_customers=n
    )
    actual = holdout[summary.has_purchase]
    if actual.sum() == 0:
        raise InputError("no purchases in the holdout window: choose an earlier calibration end")
    unit = UNIT_DAYS[time_unit]
    horizon = (end - cal) / unit
    x, t_x, tenure = summary.history(time_unit)

    fitted, failures = fit_purchase_models(x, t_x, tenure)

    predicted = {
        name: model.conditional_expected_purchases(horizon, x, t_x, tenure)
        for name, model in fitted.items()
    }
    models: dict[str, Any] = {}
    for name, model in fitted.items():
        models[name] = {
            "params": dict(model.params_),
            "log_likelihood": model.log_likelihood_,
            "mae": holdout_mae(actual, predicted[name]),
            "bias": aggregate_bias(actual, predicted[name]),
            "predicted_purchases": float(predicted[name].sum()),
        }
    for name, message in failures.items():
        models[name] = {"params": None, "error": message}
    tables = {name: frequency_table(x, actual, p, MAX_FREQUENCY) for name, p in predicted.items()}
    first = next(iter(tables.values()))
    table = []
    for i, row in enumerate(first.rows()):
        entry: dict[str, Any] = {
            "frequency": str(row["frequency"]),
            "customers": row["customers"],
            "actual": _number(float(row["actual"])),
        }
        for name, t in tables.items():
            entry[name] = _number(float(t.predicted[i]))
        table.append(entry)

    result: dict[str, Any] = {
        "calibration_end": calibration_end.isoformat(),
        "holdout_end": _day(end).isoformat(),
        "time_unit": time_unit,
        "horizon": horizon,
        "customers": int(x.size),
        "holdout_purchases": float(actual.sum()),
        "models": models,
        "best_by_mae": min(fitted, key=lambda name: models[name]["mae"]),
        "chosen_by_likelihood": select_by_likelihood(fitted).best,
        "frequency_table": table,
    }
    if plot_dir is not None:
        result["plots"] = [str(p) for p in _write_plots(plot_dir, result, fitted, x, tenure)]
    return result


def _write_plots(
    directory: Path,
    result: dict[str, Any],
    fitted: dict[str, PurchaseModel],
    x: np.ndarray[Any, Any],
    tenure: np.ndarray[Any, Any],
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    unit = "weeks" if result["time_unit"] == "W" else "days"
    table = result["frequency_table"]
    series: dict[str, list[float]] = {
        "actual": [np.nan if r["actual"] is None else r["actual"] for r in table]
    }
    for name in fitted:
        series[name] = [np.nan if r[name] is None else r[name] for r in table]
    horizon = f"{result['horizon']:g} {unit}"
    svg = _svg.line_chart(
        f"Holdout purchases by calibration frequency ({horizon} after {result['calibration_end']})",
        "repeat purchase days in the calibration window",
        f"mean purchase days in the holdout ({horizon})",
        [str(r["frequency"]) for r in table],
        series,
    )
    paths = [directory / "holdout_by_frequency.svg"]
    paths[0].write_text(svg, encoding="utf-8")

    t_max = float(tenure.max())
    max_f = int(min(max(float(np.quantile(x, 0.99)), 1.0), 40.0))
    steps = int(min(max(round(t_max), 2), 100))
    for name, model in fitted.items():
        matrix, freq, rec = p_alive_matrix(model, max_f, t_max, steps)
        svg = _svg.heat_map(
            f"P(alive) by frequency and recency, {name}, T = {t_max:.4g} {unit}",
            f"recency (time of the last purchase, {unit} after the first)",
            "frequency (repeat purchase days)",
            matrix,
            rec.tolist(),
            freq.tolist(),
            scale_label="P(alive)",
            note="grey: histories that cannot occur (repeat purchases need recency > 0)",
        )
        path = directory / f"p_alive_{name}.svg"
        path.write_text(svg, encoding="utf-8")
        paths.append(path)
    return paths
