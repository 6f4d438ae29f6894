"""Export and erasure of the customer with the most order lines in UCI Online Retail.

kunde (``kunde privacy export`` / ``kunde privacy erase --yes``, whole processes) beside the
sqlite3 command line shell running the bare statements on the same database: for the export,
the customer's order lines as CSV; for the erasure, the same deletes and pseudonymising updates
with ``secure_delete`` and a WAL checkpoint. kunde does more than the anchor (a zip with JSON
files and a README, the audit trail, the register, the data-directory scan, Python start-up), so
the ratio is the price of those. Each erasure runs on a fresh copy of the imported database.

Usage: ``python bench/rights.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from _machine import machine, print_table, write_result
from import_bench import CREDIT, DATA, kunde, kunde_env, timed
from kunde.config import Settings
from kunde.engine import Engine
from kunde.store.tables import order_lines

_ERASE_SQL = """PRAGMA secure_delete=ON;
BEGIN IMMEDIATE;
DELETE FROM events WHERE customer_id = '{c}';
DELETE FROM order_lines WHERE customer_id = '{c}' AND ordered_at < '2016-01-01';
UPDATE order_lines SET customer_id = 'erased-anchor' WHERE customer_id = '{c}';
UPDATE orders SET customer_id = 'erased-anchor' WHERE customer_id = '{c}';
UPDATE audit_entries SET customer_id = 'erased-anchor' WHERE customer_id = '{c}';
DELETE FROM consent_entries WHERE customer_id = '{c}';
DELETE FROM payment_methods WHERE customer_id = '{c}';
DELETE FROM identifiers WHERE customer_id = '{c}';
DELETE FROM customer_days WHERE customer_id = '{c}';
DELETE FROM customer_summaries WHERE customer_id = '{c}';
DELETE FROM customers WHERE customer_id = '{c}';
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
"""


def _import(work: Path) -> tuple[Path, str, int]:
    db = work / "kunde.db"
    engine = Engine(
        Settings(database_url=f"sqlite:///{db}", data_dir=work / "data", environment="test")
    )
    engine.init()
    engine.import_orders(DATA, format="online-retail")
    lines = func.count().label("lines")
    query = (
        select(order_lines.c.customer_id, lines)
        .where(order_lines.c.customer_id.is_not(None), order_lines.c.customer_id != "")
        .group_by(order_lines.c.customer_id)
        .order_by(lines.desc())
        .limit(1)
    )
    with engine.store.db.connect() as conn:
        customer, count = conn.execute(query).one()
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.close()
    return db, str(customer), int(count)


def _in_process(db: Path, work: Path, customer: str, repeat: int) -> dict[str, float]:
    """Median seconds of the engine calls alone (no interpreter start-up or imports)."""
    import io

    from kunde.privacy import Actor

    admin = Actor(key_id=None, role="admin")
    export, erase = [], []
    for i in range(repeat):
        copy = work / f"inproc-{i}.db"
        shutil.copy(db, copy)
        settings = Settings(
            database_url=f"sqlite:///{copy}", data_dir=work / f"inproc-{i}", environment="test"
        )
        engine = Engine(settings)
        start = time.perf_counter()
        engine.export_customer(admin, customer, io.BytesIO())
        export.append(time.perf_counter() - start)
        start = time.perf_counter()
        engine.erase_customer(admin, customer)
        erase.append(time.perf_counter() - start)
        engine.close()
    return {"export": statistics.median(export), "erase": statistics.median(erase)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        raise SystemExit("the sqlite3 command line shell is needed for the anchor")
    with tempfile.TemporaryDirectory(prefix="kunde-bench-rights-") as tmp:
        work = Path(tmp)
        db, customer, count = _import(work)
        env = kunde_env(f"sqlite:///{db}", work / "data")
        export_sql = (
            "SELECT order_id, ordered_at, product_id, quantity, unit_price, amount, currency, "
            f"channel, store_id, is_gift, kind FROM order_lines WHERE customer_id = '{customer}' "
            "ORDER BY ordered_at, order_id, line_key;"
        )
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in ("ke", "ae", "kx", "ax")}
        for i in range(repeat):
            out = work / f"export-{i}.zip"
            runs["ke"].append(timed(kunde("privacy", "export", customer, "-o", str(out)), env))
            anchor_out = work / f"anchor-{i}.csv"
            command = [sqlite3, str(db), "-csv", "-header", f".output {anchor_out}", export_sql]
            runs["ae"].append(timed(command))
            for key, erase in (("kx", "kunde"), ("ax", "anchor")):
                copy = work / f"{erase}-{i}.db"
                shutil.copy(db, copy)
                if erase == "kunde":
                    copy_env = kunde_env(f"sqlite:///{copy}", work / f"data-{i}")
                    runs[key].append(timed(kunde("privacy", "erase", customer, "--yes"), copy_env))
                else:
                    runs[key].append(timed([sqlite3, str(copy), _ERASE_SQL.format(c=customer)]))
        inner = _in_process(db, work, customer, repeat)
    median = {k: statistics.median(s for s, _ in v) for k, v in runs.items()}
    peak = {k: max(m for _, m in v) for k, v in runs.items()}
    rows = [
        ["export", round(median["ke"], 3), round(inner["export"], 3), round(median["ae"], 3),
         round(median["ke"] / median["ae"], 1), round(peak["ke"]), round(peak["ae"])],
        ["erase", round(median["kx"], 3), round(inner["erase"], 3), round(median["ax"], 3),
         round(median["kx"] / median["ax"], 1), round(peak["kx"]), round(peak["ax"])],
    ]  # fmt: skip
    print_table(
        f"Customer {customer}: {count} order lines (median of {repeat}, whole processes)",
        [
            "operation",
            "kunde s",
            "kunde in-process s",
            "sqlite3 s",
            "ratio",
            "kunde peak MiB",
            "sqlite3 peak MiB",
        ],
        rows,
    )
    write_result(
        "rights",
        {
            "machine": machine(),
            "data": CREDIT,
            "customer_lines": count,
            "repeat": repeat,
            "seconds": median,
            "in_process_seconds": inner,
            "load_average": os.getloadavg(),
            "peak_mib": peak,
            "rows": rows,
        },
    )


if __name__ == "__main__":
    sys.exit(main())
