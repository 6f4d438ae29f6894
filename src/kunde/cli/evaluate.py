"""``kunde evaluate recommend|value``: offline evaluation of the models on the stored data.

``recommend``: a temporal split against the baselines; ``value``: holdout evaluation of the
purchase models, with plots.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from kunde.cli import _common

__all__ = ["app"]

app = typer.Typer(
    name="evaluate",
    help="Offline evaluation of the models on the stored data.",
    no_args_is_help=True,
)


def _table(protocol: str, result: dict[str, Any], k: int) -> None:
    say = _common.out.print
    say(f"\nprotocol '{protocol}': {result['users']:,} customers", markup=False)
    say(
        f"{'model':<16}{'recall@' + str(k):>10}{'ndcg@' + str(k):>9}{'prec@' + str(k):>9}"
        f"{'coverage':>9}{'ILD':>7}{'novelty':>8}{'fit s':>7}",
        markup=False,
    )
    for name, m in result["models"].items():
        say(
            f"{name:<16}{m['recall']:>10.4f}{m['ndcg']:>9.4f}{m['precision']:>9.4f}"
            f"{m['coverage']:>9.3f}{m['diversity']:>7.3f}{m['novelty']:>8.2f}{m['fit_s']:>7.2f}",
            markup=False,
        )
    ndcg, recall = result["ndcg_ratio"], result["recall_ratio"]
    if ndcg is not None and recall is not None:
        say(
            f"kunde / best baseline ({result['best_baseline']}): ndcg x{ndcg:.2f}, "
            f"recall x{recall:.2f}",
            markup=False,
        )


@app.command()
def recommend(
    test_from: datetime = typer.Option(
        ...,
        "--test-from",
        formats=["%Y-%m-%d"],
        help="First day of the test period (YYYY-MM-DD): models train on the days before.",
        show_default=False,
    ),
    k: int = typer.Option(10, "-k", "--k", min=1, max=100, help="List length."),
    window_days: int | None = typer.Option(
        None, "--window-days", min=1, help="Length of the test period (default: to the end)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """kunde's personal ranking against popularity, EASE and implicit (if installed).

    Each baseline picks its parameters from a small grid on the 30 days before the split.
    """
    result = _common.engine().evaluate_recommend(test_from.date(), k, window_days=window_days)
    if as_json:
        _common.print_json(result)
        return
    _common.out.print(
        f"temporal split at {result['test_from']}: {result['train_lines']:,} training lines",
        markup=False,
    )
    for protocol, block in result["protocols"].items():
        _table(protocol, block, k)
    chosen = "; ".join(
        f"{name} " + ", ".join(f"{key}={value}" for key, value in params.items())
        for name, params in result["baseline_params"].items()
    )
    _common.out.print(
        f"baselines {result['baseline_tuning']}: {chosen}", markup=False, soft_wrap=True
    )
    for note in result["notes"]:
        _common.out.print(f"note: {note}", markup=False, soft_wrap=True)


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
