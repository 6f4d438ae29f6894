"""Fixtures for the command-line tests: run the real ``kunde`` entry point as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

RunKunde = Callable[[list[str], str, Path], subprocess.CompletedProcess[str]]


def _run(args: list[str], url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUNDE_DATABASE_URL": url, "KUNDE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-c", "from kunde.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def kunde() -> RunKunde:
    """``kunde(args, database_url, data_dir)``: run the CLI in a fresh process."""
    return _run
