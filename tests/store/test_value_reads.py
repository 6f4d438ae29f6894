"""The bulk read of ``customer_days``: SQLite (file and in-memory) and PostgreSQL give the same."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from kunde.config import Settings
from kunde.engine import Engine
from kunde.store import Store


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
