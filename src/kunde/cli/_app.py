"""The Typer application, its error handling and the command groups."""

from __future__ import annotations

import sys

import typer

from kunde.cli import (
    _common,
    demo,
    evaluate,
    imports,
    keys,
    privacy,
    recommend,
    serve,
    train,
    value,
)
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
    _common.skip_pandas()


@app.command()
def init() -> None:
    """Create or upgrade the database schema and the data directory."""
    engine = _common.engine()
    engine.init()
    _common.out.print(f"database ready: {engine.store.db.url.render_as_string()}")


app.add_typer(keys.app)
app.add_typer(imports.app)
app.add_typer(value.app)
app.add_typer(recommend.app)
app.add_typer(evaluate.app)
app.command()(train.train)
app.add_typer(privacy.app)
app.command()(serve.serve)
app.command()(demo.demo)


def main() -> None:
    """Console entry point: runs the app and turns kunde errors into one line and an exit code."""
    try:
        code = app(standalone_mode=False)  # returns the code of a typer.Exit in this mode
        if isinstance(code, int) and code:
            sys.exit(code)
    except KundeError as exc:
        if _common.state.debug:
            raise
        _common.err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _common.err.print("aborted")
        sys.exit(1)
    except Exception as exc:  # click usage errors and anything unexpected
        import click

        # typer >= 0.24 raises its own copy of click's exceptions (typer._click)
        show = getattr(exc, "show", None)
        if isinstance(exc, click.ClickException | typer.TyperException) and callable(show):
            show()
            sys.exit(2)
        if _common.state.debug:
            raise
        _common.err.print(
            f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for details)",
            markup=False,
            highlight=False,
        )
        sys.exit(1)
