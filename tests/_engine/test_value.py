"""Fitting the value models on the store's customer days, and exporting predictions."""

from __future__ import annotations

import csv
import json
import math
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kunde._engine.value import artefact_path
from kunde.engine import Engine
from kunde.errors import InputError, InvalidFieldError
from kunde.store.tables import customer_days

CUSTOMERS = 300
COLUMNS = [
    "customer_id",
    "frequency",
    "recency_days",
    "tenure_days",
    "monetary",
    "p_alive",
    "expected_purchases",
    "expected_value",
    "segment",
]
PARAMS = {
    "bgnbd": {"r", "alpha", "a", "b"},
    "pareto_nbd": {"r", "alpha", "s", "beta"},
    "mbgnbd": {"r", "alpha", "a", "b"},
    "gamma_gamma": {"p", "q", "v"},
}


def _unfitted_demo(engine: Engine) -> None:
    """The demo shop without the value models ``build_demo`` fits."""
    engine.build_demo(customers=CUSTOMERS)
    artefact_path(engine.settings).unlink()


def _purchasers(engine: Engine, as_of: date | None = None) -> int:
    query = select(func.count(func.distinct(customer_days.c.customer_id))).where(
        customer_days.c.purchase_lines > 0
    )
    if as_of is not None:
        query = query.where(customer_days.c.day <= as_of)
    with engine.store.db.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_customer_days_are_read_as_aligned_arrays(any_engine: Engine) -> None:
    any_engine.build_demo(customers=CUSTOMERS)
    rows = any_engine.store.value.customer_days()
    n = rows.day.shape[0]
    assert n > 0
    assert rows.customer.shape == rows.purchased.shape == rows.returned.shape == (n,)
    assert rows.customer_ids.shape[0] == rows.customer.max() + 1
    assert (rows.returned <= 0).all()
    cut = date.fromordinal(date(1970, 1, 1).toordinal() + int(rows.day.max()) - 90)
    earlier = any_engine.store.value.customer_days(as_of=cut)
    assert 0 < earlier.day.shape[0] < n
    assert int(earlier.day.max()) <= (cut - date(1970, 1, 1)).days


def test_fit_then_export(any_engine: Engine, tmp_path: Path) -> None:
    engine = any_engine
    _unfitted_demo(engine)
    result = engine.value_fit()
    assert set(result) == {
        "as_of",
        "time_unit",
        "customers",
        "bgnbd",
        "pareto_nbd",
        "mbgnbd",
        "gamma_gamma",
        "chosen",
    }
    assert result["time_unit"] == "W"
    assert result["customers"] == _purchasers(engine)
    for name, names in PARAMS.items():
        params = result[name]["params"]
        assert set(params) == names, name
        assert all(math.isfinite(v) and v > 0 for v in params.values()), (name, params)
        assert math.isfinite(result[name]["log_likelihood"])
    assert result["chosen"] in {"bgnbd", "pareto_nbd", "mbgnbd"}
    stored = json.loads(artefact_path(engine.settings).read_text())
    assert stored["version"] == 1 and stored["chosen"] == result["chosen"]
    assert not list(artefact_path(engine.settings).parent.glob("*.tmp"))

    out = tmp_path / "value.csv"
    n = engine.value_export(out, horizon_days=180)
    with out.open(newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        rows = list(reader)
    assert n == len(rows) == result["customers"]
    assert len({r["customer_id"] for r in rows}) == n
    assert all(0.0 <= float(r["p_alive"]) <= 1.0 for r in rows)
    assert all(float(r["expected_value"]) >= 0.0 for r in rows)
    assert all(float(r["expected_purchases"]) >= 0.0 for r in rows)
    assert any(float(r["expected_value"]) > 0.0 for r in rows)
    assert all(int(r["recency_days"]) <= int(r["tenure_days"]) for r in rows)
    assert {r["segment"] for r in rows} <= {
        "champions",
        "loyal",
        "promising",
        "new",
        "at_risk",
        "hibernating",
        "lost",
    }

    earlier = date.fromisoformat(result["as_of"]) - timedelta(days=300)
    refit = engine.value_fit(as_of=earlier, time_unit="D")
    assert refit["as_of"] == earlier.isoformat() and refit["time_unit"] == "D"
    assert refit["customers"] == _purchasers(engine, earlier) < result["customers"]
    assert json.loads(artefact_path(engine.settings).read_text())["version"] == 2


def test_export_fits_first_when_nothing_is_stored(engine: Engine, tmp_path: Path) -> None:
    _unfitted_demo(engine)
    assert not artefact_path(engine.settings).exists()
    n = engine.value_export(tmp_path / "v.csv")
    assert n == _purchasers(engine)
    assert artefact_path(engine.settings).exists()


def test_fit_without_orders_and_bad_unit_are_input_errors(engine: Engine) -> None:
    with pytest.raises(InputError):
        engine.value_fit()
    with pytest.raises(InvalidFieldError):
        engine.value_fit(time_unit="M")


def test_export_reuses_the_fit_until_the_data_changes(engine: Engine, tmp_path: Path) -> None:
    _unfitted_demo(engine)
    engine.value_fit(time_unit="D", models=["bgnbd"])
    stored = json.loads(artefact_path(engine.settings).read_text())
    engine.value_export(tmp_path / "a.csv")
    again = json.loads(artefact_path(engine.settings).read_text())
    assert again["version"] == stored["version"]  # same data: the stored fit is used

    new = tmp_path / "new.csv"
    new.write_text(
        "order_id,customer_id,ordered_at,product_id,quantity,amount\n"
        f"n1,late-buyer,{stored['as_of']}T18:00:00,p1,1,12.5\n",
        encoding="utf-8",
    )
    engine.import_orders(new)
    engine.value_export(tmp_path / "b.csv")
    refit = json.loads(artefact_path(engine.settings).read_text())
    assert refit["version"] == stored["version"] + 1  # new orders: fitted again first
    assert refit["time_unit"] == "D" and refit["models"] == ["bgnbd"]
    assert refit["pareto_nbd"]["params"] is None
    with (tmp_path / "b.csv").open(newline="") as fh:
        assert "late-buyer" in {r["customer_id"] for r in csv.DictReader(fh)}


@pytest.mark.parametrize("rows", [0, 1, 7, 9])
def test_csv_written_in_parts_equals_one_write(tmp_path: Path, rows: int) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from kunde._engine.value import write_csv

    table = pa.table(
        {
            "customer_id": [f'c,"{i}"' for i in range(rows)],
            "monetary": [i / 3 for i in range(rows)],
            "segment": ["new" if i % 2 else "lost" for i in range(rows)],
        },
        schema=pa.schema(
            [("customer_id", pa.string()), ("monetary", pa.float64()), ("segment", pa.string())]
        ),
    )
    write_csv(table, tmp_path / "parts.csv", rows_per_part=3)
    pacsv.write_csv(table, tmp_path / "one.csv", pacsv.WriteOptions(quoting_style="needed"))
    assert (tmp_path / "parts.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
