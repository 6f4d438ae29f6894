"""``kunde evaluate value``: the real command line on the CDNOW sample."""

from __future__ import annotations

import json
from pathlib import Path

from kunde.config import Settings
from kunde.engine import Engine

from .conftest import RunKunde

KEYS = {
    "calibration_end",
    "holdout_end",
    "time_unit",
    "horizon",
    "customers",
    "holdout_purchases",
    "models",
    "best_by_mae",
    "chosen_by_likelihood",
    "frequency_table",
}


def test_evaluate_value_json_text_and_plots(
    kunde: RunKunde, sqlite_url: str, tmp_path: Path, cdnow_orders: Path
) -> None:
    data_dir = tmp_path / "data"
    engine = Engine(Settings(database_url=sqlite_url, data_dir=data_dir, environment="test"))
    try:
        engine.init()
        engine.import_orders(cdnow_orders)
    finally:
        engine.close()
    window = ["--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30"]

    out = kunde(["evaluate", "value", *window, "--json"], sqlite_url, data_dir)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == KEYS
    assert len(result["frequency_table"]) == 8
    assert set(result["frequency_table"][0]) == {
        "frequency",
        "customers",
        "actual",
        *result["models"],
    }

    plots = tmp_path / "plots"
    text = kunde(["evaluate", "value", *window, "--plot", str(plots)], sqlite_url, data_dir)
    assert text.returncode == 0, text.stderr
    assert "MAE per customer" in text.stdout and "7+" in text.stdout
    assert (plots / "holdout_by_frequency.svg").is_file()
    assert (plots / "p_alive_pareto_nbd.svg").is_file()


def test_evaluate_value_refuses_bad_arguments(
    kunde: RunKunde, sqlite_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    missing = kunde(["evaluate", "value"], sqlite_url, data_dir)
    assert missing.returncode == 2 and "--calibration-end" in missing.stderr
    empty = kunde(["evaluate", "value", "--calibration-end", "2020-01-01"], sqlite_url, data_dir)
    assert empty.returncode == 2 and "no purchases" in empty.stderr
