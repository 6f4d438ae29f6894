"""``kunde privacy export|erase``: a customer's rights from the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from kunde.cli import _common
from kunde.privacy import Actor

__all__ = ["app"]

app = typer.Typer(name="privacy", help="Export or erase a customer's personal data.")

_CLI_ADMIN = Actor(key_id=None, role="admin")


@app.command("export")
def export(
    customer: str = typer.Argument(..., help="The customer id."),
    output: Path = typer.Option(..., "--output", "-o", help="The zip file to write."),
) -> None:
    """Write all personal data of CUSTOMER as a zip of JSON and CSV files with a README.txt."""
    engine = _common.engine()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as target:
            counts = engine.export_customer(_CLI_ADMIN, customer, target)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    lines = ", ".join(f"{n} {name}" for name, n in counts.items())
    _common.err.print(f"exported to {output} ({lines})", markup=False, highlight=False)


@app.command("erase")
def erase(
    customer: str = typer.Argument(..., help="The customer id."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    vacuum: bool = typer.Option(False, "--vacuum", help="SQLite: also rebuild the database file."),
    as_json: bool = typer.Option(False, "--json", help="Print what was erased as JSON."),
) -> None:
    """Erase CUSTOMER from every table, data file and log; order lines within bookkeeping
    retention are kept under a random pseudonym. This cannot be undone."""
    if not yes:
        typer.confirm(f"Erase customer {customer!r}? This cannot be undone", abort=True)
    engine = _common.engine()
    result = engine.erase_customer(_CLI_ADMIN, customer, vacuum=vacuum)
    if as_json:
        _common.out.print_json(json.dumps(result))
        return
    rows = sum(result["rows"].values())
    _common.out.print(
        f"erased: {rows} rows, {len(result['files_rewritten'])} files rewritten, "
        f"{len(result['files_removed'])} removed; kept order lines are named "
        f"{result['pseudonym']}",
        markup=False,
        highlight=False,
    )
