"""The Typer application, its error handling and the command groups."""

from __future__ import annotations

import sys

import typer

from kunde.cli import _common
from kunde.errors import KundeError

__all__ = ["app", "main"]

app = typer.Typer(
    name="kunde",
    help="kunde: customer-centricity engine for retailers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
) -> None:
    _common.state.debug = debug


@app.command()
def init() -> None:
    """Create or upgrade the database schema and the data directory."""
    engine = _common.engine()
    engine.init()
    _common.out.print(f"database ready: {engine.store.db.url.render_as_string()}")


def main() -> None:
    """Console entry point: runs the app and turns kunde errors into one line and an exit code."""
    try:
        app(standalone_mode=False)
    except KundeError as exc:
        if _common.state.debug:
            raise
        _common.err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _common.err.print("aborted")
        sys.exit(1)
    except Exception as exc:  # click usage errors and anything unexpected
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2)
        if _common.state.debug:
            raise
        _common.err.print(
            f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)",
            markup=False,
            highlight=False,
        )
        sys.exit(1)
