"""``kunde keys``: create and revoke API keys."""

from __future__ import annotations

import typer
from rich.table import Table

from kunde.cli import _common

__all__ = ["app"]

app = typer.Typer(name="keys", help="Create and revoke API keys.", no_args_is_help=True)


@app.command()
def create(
    role: str = typer.Option(
        ..., "--role", help="admin, staff, integration or analyst.", show_default=False
    ),
    name: str | None = typer.Option(None, "--name", help="What the key is for, e.g. 'web shop'."),
) -> None:
    """Create an API key and print it on stdout (only now: kunde stores just its hash)."""
    engine = _common.engine()
    key = engine.create_key(role, name)
    key_id = engine.authenticate(key).key_id
    print(key)
    _common.err.print(
        f"created {role} key {key_id} (revoke with 'kunde keys revoke {key_id}'); "
        "keep it secret, it is not shown again"
    )


@app.command("list")
def list_keys(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List the API keys (ids, roles, names, last use; never the keys themselves)."""
    keys = _common.engine().list_keys()
    if as_json:
        _common.print_json(keys)
        return
    table = Table("id", "prefix", "role", "name", "created", "last used", "revoked")
    for key in keys:
        table.add_row(
            *(
                "" if key[field] is None else str(key[field])[:19]
                for field in (
                    "key_id",
                    "prefix",
                    "role",
                    "name",
                    "created_at",
                    "last_used_at",
                    "revoked_at",
                )
            )
        )
    _common.out.print(table)


@app.command()
def revoke(key_id: int = typer.Argument(..., help="The key's id.")) -> None:
    """Revoke an API key; requests with it are refused at once."""
    _common.engine().revoke_key(key_id)
    _common.err.print(f"revoked key {key_id}")
