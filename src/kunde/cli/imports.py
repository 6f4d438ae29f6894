"""``kunde import orders|products|events``: every line read is imported, rejected or a duplicate."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kunde.cli import _common
from kunde.orders import ImportSummary, parse_mapping

__all__ = ["app"]

app = typer.Typer(
    name="import",
    help="Import orders, products or events from .csv, .csv.gz or .parquet files.",
    no_args_is_help=True,
)

_FILE = typer.Argument(..., help="A .csv, .csv.gz or .parquet file.", show_default=False)
_JSON = typer.Option(False, "--json", help="Print the summary as JSON.")


def _report(kind: str, summary: ImportSummary, as_json: bool) -> None:
    """Print the summary; exit 1 when lines were rejected."""
    if as_json:
        _common.print_json(summary.as_dict())
    else:
        _common.out.print(
            f"{kind}: read {summary.read:,} lines: {summary.imported:,} imported, "
            f"{summary.rejected:,} rejected, {summary.duplicates:,} duplicates"
        )
        if summary.reject_file is not None:
            _common.out.print(f"rejected lines and reasons: {summary.reject_file}", soft_wrap=True)
    if summary.rejected:
        raise typer.Exit(1)


@app.command()
def orders(
    file: Path = _FILE,
    format: str = typer.Option(
        "canonical", "--format", help="canonical or online-retail (UCI Online Retail layout)."
    ),
    map_: list[str] = typer.Option(
        [], "--map", help="FIELD=COLUMN: read FIELD from COLUMN (repeatable)."
    ),
    as_json: bool = _JSON,
) -> None:
    """Import order lines (canonical columns: customer_id, ordered_at, order_id, product_id,
    quantity, unit_price or amount, ...)."""
    summary = _common.engine().import_orders(
        file, format=format, mapping=parse_mapping(map_), progress=sys.stderr.isatty()
    )
    _report("orders", summary, as_json)


@app.command()
def products(file: Path = _FILE, as_json: bool = _JSON) -> None:
    """Import products (product_id,name,category,brand,price,released_at,description)."""
    summary = _common.engine().import_products(file, progress=sys.stderr.isatty())
    _report("products", summary, as_json)


@app.command()
def events(file: Path = _FILE, as_json: bool = _JSON) -> None:
    """Import behavioural events (event_id,occurred_at,type,customer_id|anonymous_id,
    touchpoint,product_id,properties)."""
    summary = _common.engine().import_events(file, progress=sys.stderr.isatty())
    _report("events", summary, as_json)
