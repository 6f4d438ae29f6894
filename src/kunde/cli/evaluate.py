"""``kunde evaluate recommend``: offline evaluation on a temporal split of the stored data."""

from __future__ import annotations

from datetime import datetime
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
    """kunde's personal ranking against popularity, EASE and implicit (if installed)."""
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
    for note in result["notes"]:
        _common.out.print(f"note: {note}", markup=False, soft_wrap=True)
