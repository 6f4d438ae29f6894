"""``kunde value fit|export``: fit the customer-value models, export predictions per customer."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer

from kunde.cli import _common

__all__ = ["app"]

app = typer.Typer(
    name="value",
    help="Customer value: purchase and spend models, predicted value, segments.",
    no_args_is_help=True,
)

_AS_OF = typer.Option(
    None,
    "--as-of",
    formats=["%Y-%m-%d"],
    help="Count histories up to this day (YYYY-MM-DD); default the latest stored day.",
    show_default=False,
)


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def _params(entry: dict[str, Any]) -> str:
    params = entry.get("params")
    if not params:
        return f"not fitted ({entry.get('error', 'unknown reason')})"
    shown = ", ".join(f"{k}={v:.4g}" for k, v in params.items())
    return f"{shown}  (log-likelihood {entry['log_likelihood']:.2f})"


@app.command()
def fit(
    as_of: datetime | None = _AS_OF,
    time_unit: str = typer.Option("W", "--time-unit", help="D (days) or W (weeks)."),
    model: list[str] | None = typer.Option(
        None,
        "--model",
        help="Purchase model to fit: bgnbd, pareto_nbd or mbgnbd (repeatable); default all.",
        show_default=False,
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Fit BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma; keep the best purchase model (BIC)."""
    result = _common.engine().value_fit(
        as_of=_day(as_of), time_unit=time_unit.upper(), models=model or None
    )
    if as_json:
        _common.print_json(result)
        return
    say = _common.out.print
    say(f"value models fitted as of {result['as_of']} on {result['customers']:,} customers")
    for name in ("bgnbd", "pareto_nbd", "mbgnbd", "gamma_gamma"):
        say(f"  {name:<12}{_params(result[name])}", markup=False, soft_wrap=True)
    say(f"chosen purchase model: {result['chosen']}")


@app.command()
def export(
    output: Path = typer.Option(..., "--output", help="CSV file to write.", show_default=False),
    horizon_days: int = typer.Option(365, "--horizon-days", min=0, help="Days to predict."),
    as_of: datetime | None = _AS_OF,
) -> None:
    """Write p_alive, expected purchases, expected value and segment per customer (CSV)."""
    rows = _common.engine().value_export(output, horizon_days=horizon_days, as_of=_day(as_of))
    _common.out.print(f"wrote {rows:,} customers to {output}", markup=False, soft_wrap=True)
