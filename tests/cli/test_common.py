"""Shared CLI start-up: pyarrow never imports pandas behind a command's back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

_PROBE = """
import sys
sys.argv = ["kunde", "init"]
from kunde.cli import main
try:
    main()
except SystemExit:
    pass
import pyarrow as pa
pa.array(["converting Python objects is where pyarrow looks for pandas"])
print("pandas imported" if "pandas" in sys.modules else "no pandas")
import pandas
print("pandas importable", pandas.__name__)
"""


def test_a_command_leaves_pandas_unimported_but_importable(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    env = {
        **os.environ,
        "KUNDE_DATABASE_URL": f"sqlite:///{tmp_path / 'kunde.db'}",
        "KUNDE_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "no pandas" in lines
    assert "pandas importable pandas" in lines
