"""The bulk read of ``customer_days``: SQLite (file and in-memory) and PostgreSQL give the same."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import insert

from kunde.config import Settings
from kunde.engine import Engine
from kunde.store import Store
from kunde.store import value as store_value
from kunde.store.tables import customer_summaries


def _as_rows(store: Store, as_of: date | None = None) -> set[tuple[str, int, float, float, int]]:
    days = store.value.customer_days(as_of)
    assert np.all(days.customer_ids[:-1] < days.customer_ids[1:])  # distinct, sorted
    return set(
        zip(
            days.customer_ids[days.customer].tolist(),
            days.day.tolist(),
            np.round(days.purchased, 6).tolist(),
            np.round(days.returned, 6).tolist(),
            days.purchase_lines.tolist(),
            strict=True,
        )
    )


def test_every_read_path_returns_the_same_rows(
    any_engine: Engine, cdnow_orders: Path, tmp_path: Path
) -> None:
    any_engine.import_orders(cdnow_orders)
    memory = Engine(Settings(database_url="sqlite://", data_dir=tmp_path, environment="test"))
    try:
        memory.init()
        memory.import_orders(cdnow_orders)
        lines = np.loadtxt(cdnow_orders, dtype=str, delimiter=",", skiprows=1)
        distinct_days = {(c, stamp[:10]) for _, c, stamp, *_ in lines}
        for as_of in (None, date(1997, 9, 30)):
            rows = _as_rows(any_engine.store, as_of)
            assert rows == _as_rows(memory.store, as_of)
        assert len(_as_rows(any_engine.store)) == len(distinct_days)
        calibration = _as_rows(any_engine.store, date(1997, 9, 30))
        assert max(day for _, day, *_ in calibration) == (date(1997, 9, 30) - date(1970, 1, 1)).days
    finally:
        memory.close()


def test_totals_read_back_exactly(any_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids with separators, quotes and line breaks, NULL days and floats that need 17 digits
    survive the CSV read, also over several SQLite chunks."""
    monkeypatch.setattr(store_value, "_SQLITE_CHUNK", 2)
    ids = ["plain", 'q"uote', "com,ma", "line\nbreak", " spaced ", "ümlaut"]
    rows = [
        {
            "customer_id": customer,
            "first_purchase_day": None if i == 2 else date(2025, 1, 1 + i),
            "last_purchase_day": None if i == 2 else date(2025, 2, 1 + i),
            "purchase_days": 0 if i == 2 else i + 1,
            "net_revenue": 0.1 + 0.2 * i,
            "repeat_net_revenue": 1 / 3 + i,
            "last_activity_day": date(2025, 3, 1 + i),
            "updated_at": datetime(2025, 3, 1),
        }
        for i, customer in enumerate(ids)
    ]
    with any_engine.store.db.begin() as conn:
        conn.execute(insert(customer_summaries), rows)
    totals = any_engine.store.value.customer_totals()
    order = np.argsort([ids.index(c) for c in totals.customer_ids])
    assert totals.customer_ids[order].tolist() == ids
    epoch = date(1970, 1, 1)
    first = [
        0 if r["first_purchase_day"] is None else (r["first_purchase_day"] - epoch).days
        for r in rows
    ]
    assert totals.first_purchase_day[order].tolist() == first
    assert totals.purchase_days[order].tolist() == [r["purchase_days"] for r in rows]
    assert totals.net_revenue[order].tolist() == [r["net_revenue"] for r in rows]  # exact
    assert totals.repeat_net_revenue[order].tolist() == [r["repeat_net_revenue"] for r in rows]
    act = [(r["last_activity_day"] - epoch).days for r in rows]
    assert totals.last_activity_day[order].tolist() == act
