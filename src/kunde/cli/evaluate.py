"""``kunde evaluate value``: holdout evaluation of the purchase models, with plots."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from kunde.cli import _common

__all__ = ["app"]

app = typer.Typer(
    name="evaluate",
    help="Offline evaluation of kunde's models on the stored data.",
    no_args_is_help=True,
)


def _cell(v: Any) -> str:
    return "-" if v is None else f"{v:.3f}"


@app.command()
def value(
    calibration_end: datetime = typer.Option(
        ...,
        "--calibration-end",
        formats=["%Y-%m-%d"],
        help="Last day of the calibration window (YYYY-MM-DD).",
        show_default=False,
    ),
    holdout_end: datetime | None = typer.Option(
        None,
        "--holdout-end",
        formats=["%Y-%m-%d"],
        help="Last day of the holdout window; default the latest stored day.",
        show_default=False,
    ),
    time_unit: str = typer.Option("W", "--time-unit", help="D (days) or W (weeks)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write SVG plots into this directory.", show_default=False
    ),
) -> None:
    """Fit every purchase model up to the calibration end; MAE, bias, Fader-Hardie table."""
    result = _common.engine().value_evaluate(
        calibration_end.date(),
        None if holdout_end is None else holdout_end.date(),
        time_unit=time_unit.upper(),
        plot_dir=plot,
    )
    if as_json:
        _common.print_json(result)
        return
    from rich.table import Table

    say = _common.out.print
    say(
        f"calibration to {result['calibration_end']}, holdout to {result['holdout_end']} "
        f"({result['horizon']:g} {'weeks' if result['time_unit'] == 'W' else 'days'}), "
        f"{result['customers']:,} customers, "
        f"{result['holdout_purchases']:,.0f} holdout purchase days"
    )
    fitted = [n for n, m in result["models"].items() if m.get("params")]
    scores = Table("model", "MAE per customer", "aggregate bias", "log-likelihood")
    for name in fitted:
        m = result["models"][name]
        scores.add_row(name, f"{m['mae']:.4f}", f"{m['bias']:+.1%}", f"{m['log_likelihood']:.2f}")
    say(scores)
    table = Table("calibration frequency", "customers", "actual", *fitted)
    for row in result["frequency_table"]:
        table.add_row(
            row["frequency"],
            str(row["customers"]),
            _cell(row["actual"]),
            *(_cell(row[n]) for n in fitted),
        )
    say(table)
    say(
        f"lowest MAE: {result['best_by_mae']}; "
        f"chosen by likelihood: {result['chosen_by_likelihood']}"
    )
    for path in result.get("plots", []):
        say(f"wrote {path}", markup=False, soft_wrap=True)
