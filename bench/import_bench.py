"""Import speed: ``kunde import orders`` on UCI Online Retail beside the sqlite3 CLI's ``.import``.

Both run as whole processes on the same machine, one after the other, on the same uncompressed
CSV (541,909 lines); kunde also reads the .csv.gz it ships as. kunde's figure includes Python
start-up, parsing, checking every line, duplicate detection, the reject file, the order, product
and customer rows and the per-customer purchase summaries; ``.import`` only copies text into a
table without indexes. PostgreSQL: ``kunde import`` beside ``psql \\copy`` into a text table.

Usage: ``python bench/import_bench.py [--repeat N] [--no-postgres] [--compare SRC]``.
``--compare SRC`` also runs the kunde package under ``SRC`` (e.g. main's ``src`` unpacked with
``git archive main src``) in the same loop, right after this checkout's runs, as ``main:`` rows.
Data: UCI Online Retail (Daqing Chen, CC BY 4.0, doi:10.24432/C5BW33).
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _machine import SHARED_DATA, machine, print_table, write_result

DATA = SHARED_DATA / "online-retail" / "online_retail.csv.gz"
PG_ADMIN = os.environ.get("KUNDE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
CREDIT = "UCI Online Retail, Daqing Chen, CC BY 4.0 (doi:10.24432/C5BW33)"

Run = tuple[float, float, float]
"""Wall seconds, peak MiB and CPU seconds of one process."""

# Runs a command as a child and prints the child's peak resident memory (KiB) and its CPU
# seconds (user + system, all threads) on stderr.
_PEAK = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.write(f'PEAK {u.ru_maxrss} {u.ru_utime + u.ru_stime}\\n')\n"
    "sys.exit(code)\n"
)


def timed(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Wall seconds, peak MiB and CPU seconds of one process.

    CPU seconds say more than wall seconds when other work shares the machine: they grow less
    with the load (kunde runs two threads, so on an idle machine its wall time is the lower).
    """
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _PEAK, *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed: {result.stderr}")
    peak = [line for line in result.stderr.splitlines() if line.startswith("PEAK ")]
    _, rss, cpu = peak[-1].split()
    return seconds, int(rss) / 1024, float(cpu)


def kunde_env(url: str, data_dir: Path, source: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "KUNDE_DATABASE_URL": url, "KUNDE_DATA_DIR": str(data_dir)}
    if source is not None:  # another checkout's kunde ahead of the installed one
        env["PYTHONPATH"] = str(source)
    return env


def kunde(*args: str) -> list[str]:
    return [sys.executable, "-c", "from kunde.cli import main; main()", *args]


def run_sqlite(
    csv_path: Path, work: Path, repeat: int, compare: Path | None
) -> dict[str, list[Run]]:
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        raise SystemExit("the sqlite3 command line shell is needed for the anchor")
    builds: list[tuple[str, Path | None]] = [("", None)]
    if compare is not None:
        builds.append(("main: ", compare))
    runs: dict[str, list[Run]] = {"sqlite3": []}
    for i in range(repeat):
        anchor_db = work / f"anchor-{i}.db"
        runs["sqlite3"].append(
            timed([sqlite3, str(anchor_db), ".mode csv", f".import {csv_path} lines"])
        )
        for prefix, code in builds:
            for name, source in (("kunde csv", csv_path), ("kunde gz", DATA)):
                db = work / f"kunde-{prefix[:4]}{name[-3:].strip()}-{i}.db"
                env = kunde_env(f"sqlite:///{db}", work / "data", code)
                subprocess.run(kunde("init"), env=env, check=True, capture_output=True)
                command = kunde(
                    "import", "orders", str(source), "--format", "online-retail", "--json"
                )
                runs.setdefault(prefix + name, []).append(timed(command, env))
    return runs


def run_postgres(csv_path: Path, work: Path) -> dict[str, Run] | None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"kunde_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server: report without the PostgreSQL figure
        print(f"PostgreSQL not reachable ({str(exc).splitlines()[0]}); skipping it")
        return None
    url = admin.url.set(database=name, drivername="postgresql+psycopg")
    result: dict[str, Run] = {}
    try:
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        columns = "invoice text, stock text, description text, quantity text, invoice_date text, "
        columns += "price text, customer text, country text"
        subprocess.run(
            ["psql", plain, "-q", "-c", f"CREATE TABLE lines ({columns})"],
            check=True,
            capture_output=True,
        )
        psql = shutil.which("psql")
        if psql:
            copy = f"\\copy lines FROM '{csv_path}' WITH (FORMAT csv, HEADER true)"
            result["psql \\copy"] = timed([psql, plain, "-q", "-c", copy])
        env = kunde_env(url.render_as_string(hide_password=False), work / "data-pg")
        subprocess.run(kunde("init"), env=env, check=True, capture_output=True)
        command = kunde("import", "orders", str(csv_path), "--format", "online-retail", "--json")
        result["kunde csv"] = timed(command, env)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return result


def byte_compile(source: Path | None = None) -> None:
    """Compile kunde's modules once, as installing a package does.

    An editable install leaves them uncompiled, and with ``PYTHONDONTWRITEBYTECODE`` set (as on
    the project's machines) every run would compile about 100 modules again at start-up.
    """
    import kunde

    package = Path(kunde.__file__).parent if source is None else source / "kunde"
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)],
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--compare", type=Path, help="another checkout's src directory")
    args = parser.parse_args()
    byte_compile()
    if args.compare is not None:
        byte_compile(args.compare.resolve())
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="kunde-import-bench-") as tmp:
        work = Path(tmp)
        csv_path = work / "online_retail.csv"
        with gzip.open(DATA, "rb") as src, csv_path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        sqlite_runs = run_sqlite(csv_path, work, args.repeat, args.compare)
        postgres = None if args.no_postgres else run_postgres(csv_path, work)

    def median(runs: list[Run]) -> Run:
        return (
            statistics.median(r[0] for r in runs),
            max(r[1] for r in runs),
            statistics.median(r[2] for r in runs),
        )

    anchor, _, anchor_cpu = median(sqlite_runs["sqlite3"])
    rows: list[list[Any]] = []
    payload: dict[str, Any] = {"lines": 541_909, "repeat": args.repeat, "data": CREDIT}
    for name, runs in sqlite_runs.items():
        seconds, peak, cpu = median(runs)
        label = "sqlite3 .import (anchor)" if name == "sqlite3" else f"{name} -> SQLite"
        rows.append([label, seconds, seconds / anchor, cpu, cpu / anchor_cpu, peak])
        payload[name.replace("main: ", "main_").replace(" ", "_") + "_sqlite"] = {
            "seconds": seconds,
            "peak_mib": peak,
            "ratio": seconds / anchor,
            "cpu_seconds": cpu,
            "cpu_ratio": cpu / anchor_cpu,
            "runs": [r[0] for r in runs],
            "cpu_runs": [r[2] for r in runs],
        }
    if postgres:
        pg_anchor = postgres.get("psql \\copy", (float("nan"), 0.0, float("nan")))[0]
        for name, (seconds, peak, cpu) in postgres.items():
            label = f"{name} -> PostgreSQL"
            rows.append([label, seconds, seconds / pg_anchor, cpu, float("nan"), peak])
            payload[name.replace(" ", "_").replace("\\", "") + "_postgres"] = {
                "seconds": seconds,
                "peak_mib": peak,
                "cpu_seconds": cpu,
                "ratio_to_sqlite3_import": seconds / anchor,
                "ratio_to_psql_copy": seconds / pg_anchor,
            }
    print_table(
        f"Import of UCI Online Retail (541,909 lines), median of {args.repeat}",
        ["run", "seconds", "ratio to anchor", "CPU s", "CPU ratio", "peak MiB"],
        rows,
    )
    payload["load_average"] = {"before": load_before, "after": os.getloadavg()}
    payload["machine"] = machine("pyarrow", "sqlalchemy", "psycopg")
    path = write_result("import", payload)
    print(f"\nwritten {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
