"""Killed or failed imports: batches commit atomically; importing again loses, repeats nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, inspect, select

from kunde.config import Settings
from kunde.engine import Engine
from kunde.store.tables import customer_summaries, order_lines


def write_orders(path: Path, rng: np.random.Generator, lines: int) -> float:
    """A canonical file of distinct lines; returns the expected total net revenue."""
    customers = rng.integers(1, 60, lines)
    products = rng.integers(1, 40, lines)
    quantity = rng.integers(1, 5, lines)
    price = rng.integers(100, 5000, lines) / 100
    rows = [
        f"O{i // 3},C{c},2024-{1 + i * 12 // lines:02d}-{1 + i % 28:02d}T10:{i % 60:02d}:00,"
        f"P{p},{q},{pr}"
        for i, (c, p, q, pr) in enumerate(zip(customers, products, quantity, price, strict=True))
    ]
    path.write_text(
        "order_id,customer_id,ordered_at,product_id,quantity,unit_price\n" + "\n".join(rows) + "\n"
    )
    return float(np.sum(quantity * price))


def counts(engine: Engine) -> tuple[int, float]:
    with engine.store.db.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(order_lines)).scalar_one()
        revenue = conn.execute(select(func.sum(customer_summaries.c.net_revenue))).scalar_one()
    return int(stored), float(revenue or 0.0)


class PowerCutError(RuntimeError):
    pass


def test_failure_after_some_batches_then_reimport(
    any_engine: Engine, tmp_path: Path, rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "orders.csv"
    revenue = write_orders(path, rng, 500)
    any_engine.settings.import_batch_rows = 50
    real = any_engine.store.orders.ingest
    calls = {"n": 0}

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 3:
            raise PowerCutError("the power went out")
        return real(*args, **kwargs)

    monkeypatch.setattr(any_engine.store.orders, "ingest", failing)
    with pytest.raises(PowerCutError):
        any_engine.import_orders(path)
    monkeypatch.setattr(any_engine.store.orders, "ingest", real)
    stored, _ = counts(any_engine)
    assert stored == 150  # three whole batches, nothing of the fourth
    indexes = {i["name"] for i in inspect(any_engine.store.db).get_indexes("order_lines")}
    assert {"ix_order_lines_customer_id_product_id", "ix_order_lines_order_id"} <= indexes
    if any_engine.store.db.dialect.name == "sqlite":  # PostgreSQL: the primary key
        assert "ix_order_lines_line_key" in indexes

    again = any_engine.import_orders(path)
    assert (again.read, again.imported, again.duplicates, again.rejected) == (500, 350, 150, 0)
    stored, net = counts(any_engine)
    assert stored == 500 and net == pytest.approx(revenue)


def test_killed_process_then_reimport(
    sqlite_url: str, tmp_path: Path, rng: np.random.Generator
) -> None:
    path = tmp_path / "orders.csv"
    total = 20_000
    revenue = write_orders(path, rng, total)
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "KUNDE_DATABASE_URL": sqlite_url,
        "KUNDE_DATA_DIR": str(data_dir),
        "KUNDE_IMPORT_BATCH_ROWS": "250",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from kunde.cli import main; main()", "import", "orders", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    engine = Engine(Settings(database_url=sqlite_url, data_dir=data_dir, environment="test"))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if counts(engine)[0] >= 1000:
                break
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        stored, _ = counts(engine)
        assert stored % 250 == 0  # whole batches only
        if process.returncode == -signal.SIGKILL:
            print(f"killed after {stored} of {total} lines")
            assert stored < total
        again = engine.import_orders(path)
        assert again.read == total and again.rejected == 0
        assert again.duplicates == stored and again.imported == total - stored
        final, net = counts(engine)
        assert final == total and net == pytest.approx(revenue)
        indexes = {i["name"] for i in inspect(engine.store.db).get_indexes("order_lines")}
        assert {"ix_order_lines_customer_id_product_id", "ix_order_lines_line_key"} <= indexes
    finally:
        if process.poll() is None:
            process.kill()
        engine.close()
