"""``kunde value fit|export``: the real command line, run as a subprocess."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from kunde.config import Settings
from kunde.engine import Engine

from .conftest import RunKunde


def _demo(url: str, data_dir: Path) -> None:
    engine = Engine(Settings(database_url=url, data_dir=data_dir, environment="test"))
    try:
        engine.init()
        engine.build_demo(customers=300)
    finally:
        engine.close()


def test_value_fit_and_export(kunde: RunKunde, sqlite_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _demo(sqlite_url, data_dir)

    fitted = kunde(["value", "fit", "--json"], sqlite_url, data_dir)
    assert fitted.returncode == 0, fitted.stderr
    result = json.loads(fitted.stdout)
    assert result["chosen"] in {"bgnbd", "pareto_nbd", "mbgnbd"}
    assert set(result["gamma_gamma"]["params"]) == {"p", "q", "v"}
    assert result["customers"] > 0

    only = kunde(["value", "fit", "--model", "bgnbd", "--json"], sqlite_url, data_dir)
    assert only.returncode == 0, only.stderr
    limited = json.loads(only.stdout)
    assert limited["chosen"] == "bgnbd" and limited["pareto_nbd"]["params"] is None
    assert set(limited["bgnbd"]["params"]) == {"r", "alpha", "a", "b"}

    text = kunde(
        ["value", "fit", "--as-of", "2026-01-01", "--time-unit", "D"], sqlite_url, data_dir
    )
    assert text.returncode == 0, text.stderr
    assert "as of 2026-01-01" in text.stdout and "chosen purchase model:" in text.stdout

    out = tmp_path / "value.csv"
    exported = kunde(
        ["value", "export", "--output", str(out), "--horizon-days", "90"], sqlite_url, data_dir
    )
    assert exported.returncode == 0, exported.stderr
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == result["customers"]
    assert f"wrote {len(rows)} customers" in exported.stdout
    assert all(0.0 <= float(r["p_alive"]) <= 1.0 for r in rows)


def test_value_refuses_bad_arguments(kunde: RunKunde, sqlite_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    bad_unit = kunde(["value", "fit", "--time-unit", "M"], sqlite_url, data_dir)
    assert bad_unit.returncode == 2 and "time_unit" in bad_unit.stderr
    bad_date = kunde(["value", "fit", "--as-of", "yesterday"], sqlite_url, data_dir)
    assert bad_date.returncode == 2
    bad_model = kunde(["value", "fit", "--model", "nbd"], sqlite_url, data_dir)
    assert bad_model.returncode == 2 and "model" in bad_model.stderr
    empty = kunde(["value", "fit"], sqlite_url, data_dir)
    assert empty.returncode == 2 and "no purchases" in empty.stderr
