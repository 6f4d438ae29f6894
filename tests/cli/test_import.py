"""``kunde import``: the real command line, as a subprocess and through Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kunde.cli import _common, app

from .conftest import RunKunde

FIXTURES = Path(__file__).parents[1] / "orders" / "fixtures"


def test_json_summary_and_exit_codes(kunde: RunKunde, sqlite_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    clean = kunde(["import", "orders", str(FIXTURES / "canonical.csv"), "--json"], sqlite_url, data)
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout) == {
        "read": 5,
        "imported": 5,
        "rejected": 0,
        "duplicates": 0,
        "reject_file": None,
    }
    quirks = str(FIXTURES / "online_retail_quirks.csv")
    rejected = kunde(
        ["import", "orders", quirks, "--format", "online-retail", "--json"], sqlite_url, data
    )
    assert rejected.returncode == 1, rejected.stderr
    summary = json.loads(rejected.stdout)
    assert (summary["read"], summary["imported"], summary["rejected"], summary["duplicates"]) == (
        25,
        21,
        3,
        1,
    )
    assert Path(summary["reject_file"]).parent == data / "rejects"
    assert (
        Path(summary["reject_file"]).read_text(encoding="utf-8").startswith("line,reason,InvoiceNo")
    )


def test_unreadable_file_exits_2_with_one_sentence(
    kunde: RunKunde, sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    result = kunde(["import", "orders", str(path)], sqlite_url, tmp_path / "data")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "error: photo.csv cannot be read: it contains binary data, not CSV text."
    )


def test_bad_arguments_exit_2(kunde: RunKunde, sqlite_url: str, tmp_path: Path) -> None:
    path = str(FIXTURES / "canonical.csv")
    for args in (["--format", "nonsense"], ["--map", "colour=Farbe"], ["--map", "no-equals"]):
        result = kunde(["import", "orders", path, *args], sqlite_url, tmp_path / "data")
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("error: ")


@pytest.fixture
def runner(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("KUNDE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("KUNDE_DATA_DIR", str(tmp_path / "data"))
    from kunde.config import get_settings

    get_settings.cache_clear()
    monkeypatch.setattr(_common.state, "engine", None)
    yield CliRunner()
    if _common.state.engine is not None:
        _common.state.engine.close()
    get_settings.cache_clear()


def test_human_summary_for_each_kind(runner: CliRunner) -> None:
    result = runner.invoke(app, ["import", "products", str(FIXTURES / "products.csv")])
    assert result.exit_code == 1
    assert "products: read 5 lines: 2 imported, 3 rejected, 0 duplicates" in result.output
    assert "rejected lines and reasons:" in result.output
    result = runner.invoke(app, ["import", "events", str(FIXTURES / "events.csv")])
    assert result.exit_code == 1
    assert "events: read 7 lines: 3 imported, 3 rejected, 1 duplicates" in result.output
    mapped = [
        "import",
        "orders",
        str(FIXTURES / "cdnow.csv"),
        "--map",
        "ordered_at=date",
        "--map",
        "quantity=number_of_cds",
        "--map",
        "amount=dollar_value",
    ]
    result = runner.invoke(app, mapped)
    assert result.exit_code == 0, result.output
    assert "orders: read 5 lines: 5 imported, 0 rejected, 0 duplicates" in result.output
    result = runner.invoke(app, mapped)
    assert "0 imported, 0 rejected, 5 duplicates" in result.output
