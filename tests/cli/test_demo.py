"""``kunde demo``: the real command line, run as a subprocess (without serving)."""

from __future__ import annotations

from pathlib import Path

from kunde.config import Settings
from kunde.engine import Engine

from .conftest import RunKunde


def test_demo_builds_prints_a_working_key_once_and_reruns(
    kunde: RunKunde, sqlite_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    first = kunde(["demo", "--no-serve", "--customers", "120"], sqlite_url, data_dir)
    assert first.returncode == 0, first.stderr
    assert "0 rejected" in first.stdout
    key_lines = [line for line in first.stdout.splitlines() if line.startswith("admin key (")]
    assert len(key_lines) == 1
    key = key_lines[0].rsplit(" ", 1)[1]
    assert f"Bearer {key}" in first.stdout and "/v1/customers/C" in first.stdout

    engine = Engine(Settings(database_url=sqlite_url, data_dir=data_dir, environment="test"))
    try:
        assert engine.authenticate(key).role == "admin"
    finally:
        engine.close()

    again = kunde(["demo", "--no-serve", "--customers", "120"], sqlite_url, data_dir)
    assert again.returncode == 0, again.stderr
    assert "still works" in again.stdout
    assert "kunde_" not in again.stdout
    assert " 0 imported" in again.stdout


def test_demo_refuses_bad_arguments(kunde: RunKunde, sqlite_url: str, tmp_path: Path) -> None:
    result = kunde(["demo", "--no-serve", "--customers", "0"], sqlite_url, tmp_path)
    assert result.returncode == 2
