"""Serving recommendations under concurrent load: kunde beside a bare endpoint, with wrk.

``GET /v1/customers/{id}/recommendations`` of ``kunde serve`` (one worker, SQLite, the demo
shop with 2,000 customers, every customer consenting to personalization, so every request takes
the personal path: key check, consent, resets, removals, the customer's lines, editorial picks,
feed rules) against the same FastAPI + uvicorn stack returning a constant list of ten products
(bench/_bare_api.py). wrk drives both on loopback with the same connections and threads,
rotating through the customers (each wrk thread from the first), after a 2 s warm-up run of the
same script (``--warm-up pages``: every URL requested once before that, so the measured run
sees a running server's steady state; the default leaves about half of kunde's pages to be
computed in the measured run's first seconds). Both servers run uvicorn with the same workers
and log level (info: an access line per request). They are started alternately, each time fresh
(kunde's page cache starts empty), ``--repeat`` times; the table gives medians, the ratios are
the medians of the per-run ratios. ``--page-cache 0`` computes every page (no page cache).
Targets: p99 within 2x of the bare endpoint, throughput at least half of it.

Needs wrk: ``apt-get install -y wrk`` (Debian/Ubuntu) or ``brew install wrk``.
Run: ``python bench/recommend_serve.py [--customers 2000] [--duration 15] [--connections 16]
[--workers 1] [--page-cache 4096] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from _machine import machine, print_table, write_result
from api import _server, bare_server  # the same server start/stop as bench/api.py
from kunde.config import Settings
from kunde.engine import Engine
from kunde.privacy import Actor, ConsentChange

LUA = """
local ids = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "%s" .. ids[(n %% #ids) + 1] .. "%s")
end
"""
RECOMMENDATIONS = ("/v1/customers/", "/recommendations?k=10")
PRODUCT = ("/v1/products/", "")


def _wrk(
    base: str,
    key: str | None,
    ids: list[str],
    args: argparse.Namespace,
    path: tuple[str, str] = RECOMMENDATIONS,
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (", ".join(f'"{c}"' for c in ids), path[0], path[1]))
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "-s",
        script.name,
    ]
    if key:
        command += ["-H", f"Authorization: Bearer {key}"]
    if args.warm_up == "pages":  # every page requested once first: a server's steady state
        _touch_all(base, key, ids, path)
    subprocess.run([*command[:3], "-d2s", *command[4:], base], capture_output=True, check=True)
    out = subprocess.run([*command, base], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    return _parse(out)


def _touch_all(base: str, key: str | None, ids: list[str], path: tuple[str, str]) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    for item in ids:
        request = urllib.request.Request(f"{base}{path[0]}{item}{path[1]}", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _parse(out: str) -> dict[str, float]:
    figures: dict[str, float] = {}
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if match:
            figures[f"p{pct} ms"] = _ms(match.group(1), match.group(2))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    figures["requests/s"] = float(rps.group(1)) if rps else 0.0
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    figures["non-2xx"] = float(errors.group(1)) if errors else 0.0
    socket_errors = re.search(r"Socket errors:.*", out)
    figures["socket errors"] = 0.0 if socket_errors is None else 1.0
    return figures


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of both servers")
    parser.add_argument(
        "--page-cache",
        type=int,
        default=4096,
        help="KUNDE_RECOMMEND_PAGE_CACHE of the kunde server (0: every page computed)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each server")
    parser.add_argument(
        "--warm-up",
        choices=("2s", "pages"),
        default="2s",
        help="2s: a 2 s wrk run first (kunde's cache holds about half the pages when the "
        "measured run starts); pages: also every URL requested once before that (the steady "
        "state of a running server, each page computed once)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk (Debian/Ubuntu) or brew install wrk")

    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kunde-bench-serve-") as tmp:
        url = f"sqlite:///{tmp}/kunde.db"
        engine = Engine(Settings(database_url=url, data_dir=Path(tmp) / "data"))
        engine.build_demo(seed=7, customers=args.customers)
        model = engine.recommend_model()
        ids = [str(c) for c in model.customer_ids.tolist()]
        products = [str(p) for p in model.product_ids.tolist()]
        grant = [
            ConsentChange(
                purpose="personalization", granted=True, policy_version="v1", source="web"
            )
        ]
        for customer in ids:  # set-up only
            engine.record_consents(Actor(key_id=None, role="admin"), customer, grant)
        key = engine.create_key("integration", "bench")
        picks = model.product_ids[model.shop_popular()[:5]].tolist()
        engine.put_editorial(picks)
        check = engine.recommendations(ids[0])
        assert check["personal"], check
        engine.close()
        env = {
            **os.environ,
            "KUNDE_DATABASE_URL": url,
            "KUNDE_DATA_DIR": f"{tmp}/data",
            "KUNDE_RECOMMEND_PAGE_CACHE": str(args.page_cache),
        }
        kunde_cmd = [
            sys.executable,
            "-c",
            "from kunde.cli import main; main()",
            "serve",
            "--workers",
            str(args.workers),
        ]
        # the same uvicorn settings as `kunde serve`: its workers and its log level (info,
        # so both write an access line per request)
        bare_cmd = bare_server("--workers", str(args.workers), "--log-level", "info")
        runs: dict[str, list[dict[str, float]]] = {"kunde": [], "bare": [], "product": []}
        for repeat in range(args.repeat):  # alternately, each server fresh (an empty cache)
            loads.append(os.getloadavg()[0])
            for which in ("kunde", "bare") if repeat % 2 == 0 else ("bare", "kunde"):
                if which == "bare":
                    with _server(bare_cmd, env) as base:
                        runs["bare"].append(_wrk(base, None, ids, args))
                    continue
                with _server(kunde_cmd, env) as base:
                    runs["kunde"].append(_wrk(base, key, ids, args))
                    # the same server's plain catalog read: the stack before recommending
                    runs["product"].append(_wrk(base, key, products, args, PRODUCT))
            print(
                f"run {repeat + 1}: kunde {runs['kunde'][-1]['requests/s']:.0f} req/s, "
                f"p99 {runs['kunde'][-1]['p99 ms']:.1f} ms; bare "
                f"{runs['bare'][-1]['requests/s']:.0f} req/s, p99 "
                f"{runs['bare'][-1]['p99 ms']:.1f} ms (load {loads[-1]:.1f})",
                file=sys.stderr,
            )
    ratios = [
        (k["p99 ms"] / b["p99 ms"], k["requests/s"] / b["requests/s"])
        for k, b in zip(runs["kunde"], runs["bare"], strict=True)
    ]
    kunde, bare, product = (_median(runs[name]) for name in ("kunde", "bare", "product"))

    rows = [
        [
            name,
            round(kunde[name], 2),
            round(bare[name], 2),
            round(kunde[name] / bare[name], 2) if bare[name] else "-",
            round(product[name], 2),
        ]
        for name in ("p50 ms", "p90 ms", "p99 ms", "requests/s")
    ]
    p99_ratio = statistics.median(r[0] for r in ratios)
    rps_ratio = statistics.median(r[1] for r in ratios)
    print_table(
        f"GET /v1/customers/{{id}}/recommendations, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s, {args.workers} worker(s) each, page cache {args.page_cache}, "
        f"warm-up {args.warm_up}, median of {args.repeat} alternating run(s)",
        [
            "measure",
            "kunde recommendations",
            "bare constant list",
            "kunde / bare",
            "kunde GET /v1/products/{id}",
        ],
        rows,
    )
    print(
        "\nper run (kunde / bare): p99 "
        + ", ".join(f"{p:.2f}" for p, _ in ratios)
        + "; throughput "
        + ", ".join(f"{t:.2f}" for _, t in ratios)
        + f"; load average at the start of each run: {', '.join(f'{x:.1f}' for x in loads)}"
    )
    print(
        f"p99 ratio {p99_ratio:.2f} (target <= 2: {'met' if p99_ratio <= 2 else 'NOT MET'}), "
        f"throughput ratio {rps_ratio:.2f} (target >= 0.5: "
        f"{'met' if rps_ratio >= 0.5 else 'NOT MET'}); kunde non-2xx: {kunde['non-2xx']:.0f}"
    )
    path = write_result(
        "recommend_serve"
        + ("" if args.workers == 1 else f"_{args.workers}workers")
        + ("" if args.page_cache else "_no_page_cache")
        + ("" if args.warm_up == "2s" else "_warm"),
        {
            "machine": {**machine("fastapi", "uvicorn"), "load_avg_at_start": loads[0]},
            "load_avg_per_run": loads,
            "customers": args.customers,
            "workers": args.workers,
            "page_cache": args.page_cache,
            "repeat": args.repeat,
            "warm_up": args.warm_up,
            "runs": runs,
            "ratios_per_run": [{"p99": p, "throughput": t} for p, t in ratios],
            "wrk": {
                "threads": args.threads,
                "connections": args.connections,
                "duration_s": args.duration,
            },
            "kunde": kunde,
            "bare": bare,
            "kunde_get_product": product,
            "p99_ratio": p99_ratio,
            "throughput_ratio": rps_ratio,
        },
    )
    print(f"written: {path}")


if __name__ == "__main__":
    main()
