"""``kunde privacy export|erase`` through the real entry point."""

from __future__ import annotations

import zipfile
from pathlib import Path

from kunde.config import Settings
from kunde.engine import Engine
from kunde.identity import CustomerProfile

from .conftest import RunKunde


def test_export_then_erase(kunde: RunKunde, sqlite_url: str, tmp_path: Path) -> None:
    engine = Engine(Settings(database_url=sqlite_url, data_dir=tmp_path / "d", environment="test"))
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])
    engine.close()
    out = tmp_path / "out" / "c1.zip"
    exported = kunde(["privacy", "export", "C-1", "--output", str(out)], sqlite_url, tmp_path / "d")
    assert exported.returncode == 0, exported.stderr
    assert "README.txt" in zipfile.ZipFile(out).namelist()
    refused = kunde(["privacy", "erase", "C-1"], sqlite_url, tmp_path / "d")
    assert refused.returncode == 1  # no --yes and no terminal to confirm on: aborted
    erased = kunde(["privacy", "erase", "C-1", "--yes"], sqlite_url, tmp_path / "d")
    assert erased.returncode == 0, erased.stderr
    assert "erased" in erased.stdout and "C-1" not in erased.stdout
    again = kunde(["privacy", "erase", "C-1", "--yes"], sqlite_url, tmp_path / "d")
    assert again.returncode == 2 and "no customer" in again.stderr
