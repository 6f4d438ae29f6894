"""kunde's command line (Typer). One module per command group; commands only call the engine."""

from __future__ import annotations

from kunde.cli._app import app, main

__all__ = ["app", "main"]
