"""``Engine.value_evaluate``: the holdout evaluation on the CDNOW sample imported into a store."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from kunde.engine import Engine
from kunde.errors import InputError, InvalidFieldError

MODEL_KEYS = {"params", "log_likelihood", "mae", "bias", "predicted_purchases"}


@pytest.fixture
def cdnow_engine(engine: Engine, cdnow_orders: Path) -> Engine:
    engine.import_orders(cdnow_orders)
    return engine


def test_evaluate_reproduces_the_cdnow_holdout(cdnow_engine: Engine, tmp_path: Path) -> None:
    result = cdnow_engine.value_evaluate(
        date(1997, 9, 30), date(1998, 6, 30), plot_dir=tmp_path / "plots"
    )
    assert result["customers"] == 2357
    assert result["holdout_purchases"] == 1882  # Fader, Hardie & Lee's 39-week holdout
    assert result["horizon"] == 39.0
    assert set(result["models"]) == {"bgnbd", "pareto_nbd", "mbgnbd"}
    for entry in result["models"].values():
        assert set(entry) == MODEL_KEYS
    bgnbd = result["models"]["bgnbd"]
    assert bgnbd["params"]["r"] == pytest.approx(0.243, rel=0.01)
    # lifetimes' BG/NBD on the same holdout: MAE 0.7855, bias -12.1 %
    assert bgnbd["mae"] == pytest.approx(0.7855, abs=1e-3)
    assert bgnbd["bias"] == pytest.approx(-0.121, abs=2e-3)
    assert result["best_by_mae"] in result["models"]

    table = result["frequency_table"]
    assert [row["frequency"] for row in table] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert sum(row["customers"] for row in table) == 2357
    assert table[0]["customers"] == 1411
    weighted = sum(row["customers"] * row["actual"] for row in table)
    assert weighted == pytest.approx(1882)
    for name, entry in result["models"].items():
        predicted = sum(row["customers"] * row[name] for row in table)
        assert predicted == pytest.approx(entry["predicted_purchases"])

    names = sorted(Path(p).name for p in result["plots"])
    assert names == [
        "holdout_by_frequency.svg",
        "p_alive_bgnbd.svg",
        "p_alive_mbgnbd.svg",
        "p_alive_pareto_nbd.svg",
    ]
    for path in result["plots"]:
        root = ET.parse(path).getroot()  # well-formed XML
        texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
        assert texts and texts[0]  # a title
    chart = Path(result["plots"][0]).read_text(encoding="utf-8")
    assert all(name in chart for name in ("actual", "bgnbd", "pareto_nbd", "mbgnbd", "7+"))


def test_holdout_window_defaults_to_the_latest_day(cdnow_engine: Engine) -> None:
    result = cdnow_engine.value_evaluate(date(1998, 3, 31), time_unit="D")
    assert result["holdout_end"] == "1998-06-30"
    assert result["horizon"] == 91.0
    assert "plots" not in result


def test_bad_windows_are_refused(cdnow_engine: Engine, engine: Engine) -> None:
    with pytest.raises(InvalidFieldError, match="holdout_end"):
        cdnow_engine.value_evaluate(date(1998, 6, 30))
    with pytest.raises(InputError, match="calibration end"):
        cdnow_engine.value_evaluate(date(1996, 1, 1))
    with pytest.raises(InvalidFieldError, match="time_unit"):
        cdnow_engine.value_evaluate(date(1997, 9, 30), time_unit="M")
