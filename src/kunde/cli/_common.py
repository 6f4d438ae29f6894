"""Shared CLI state: consoles, the lazily created engine, JSON output."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from kunde.engine import Engine

__all__ = ["engine", "err", "out", "print_json", "skip_pandas", "state"]

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


class _NoPandas:
    """An import hook that makes ``import pandas`` fail (used for one probe only)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ImportError("kunde does not use pandas")


def skip_pandas() -> None:
    """Spare every command ~0.5-0.8 s of start-up: pyarrow imports pandas, when installed,
    the first time it converts Python objects (``kunde train`` does, resolving merged
    profiles). kunde never hands pandas objects to pyarrow, so pyarrow's one probe finds no
    pandas; pandas itself stays importable for anything else. Does nothing when pandas is
    already imported."""
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    hook = _NoPandas()
    sys.meta_path.insert(0, hook)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(hook)
