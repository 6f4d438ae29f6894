"""Shared CLI state: consoles, the lazily created engine, JSON output."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from kunde.engine import Engine

__all__ = ["engine", "err", "out", "print_json", "state"]

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@dataclass
class _State:
    debug: bool = False
    engine: Engine | None = None


state = _State()


def engine() -> Engine:
    """The engine for this command, created on first use from the environment's settings."""
    if state.engine is None:
        state.engine = Engine()
    return state.engine


def print_json(payload: Any) -> None:
    """Print ``payload`` as JSON on stdout, nothing else."""
    print(json.dumps(payload, default=str))
