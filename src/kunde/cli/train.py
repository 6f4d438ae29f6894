"""``kunde train [--only recommend|value]``: fit the models on what is stored, swap them in."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import typer

from kunde.cli import _common

__all__ = ["train"]


class Only(StrEnum):
    """Which models to train."""

    RECOMMEND = "recommend"
    VALUE = "value"


def _say(text: str) -> None:
    _common.out.print(text, markup=False, highlight=False, soft_wrap=True)


def recommend_line(manifest: dict[str, Any]) -> str:
    """One line about a trained recommendation model (also used by ``kunde demo``)."""
    return (
        f"recommend model {manifest['version']}: {manifest['products']:,} products, "
        f"{manifest['customers']:,} customers, {manifest['lines']:,} lines up to "
        f"{manifest['as_of']}, personal ranking {manifest['personal_ranking']} "
        f"({manifest['seconds']['total']:.2f} s)"
    )


def train(
    only: Only | None = typer.Option(
        None, "--only", help="Train only these models (default: all).", show_default=False
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Fit the recommendation and value models on the stored data; a running server picks
    the new version up within a second, without a restart."""
    engine = _common.engine()
    result: dict[str, Any] = {}
    if only in (None, Only.RECOMMEND):
        result["recommend"] = engine.train_recommend()
    if only in (None, Only.VALUE):
        result["value"] = engine.value_fit()
    if as_json:
        _common.print_json(result)
        return
    if "recommend" in result:
        _say(recommend_line(result["recommend"]))
    if "value" in result:
        value = result["value"]
        _say(f"value models as of {value['as_of']}: chosen {value['chosen']}")
