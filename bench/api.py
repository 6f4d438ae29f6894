"""HTTP API throughput: kunde under ``kunde serve`` beside the bare HTTP stack.

Anchor: the same FastAPI + uvicorn stack serving the same routes without keys, defensive body
parsing or storage (bench/_bare_api.py). Both servers run with one worker on loopback; one
client with keep-alive sends requests one after another, so figures are latencies of a quiet
server, not peak concurrency. Run: ``python bench/api.py [--requests 2000] [--batches 5]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from _machine import machine, print_table, write_result
from kunde.catalog import ProductIn
from kunde.config import Settings
from kunde.engine import Engine
from kunde.identity import CustomerProfile

HERE = Path(__file__).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bare_server(*options: str) -> list[str]:
    """The command that serves the anchor (``_bare_api.py``) with uvicorn, plus ``options``."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(HERE),
        "_bare_api:app",
        "--log-level",
        "warning",
        *options,
    ]


@contextmanager
def _server(args: list[str], env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [*args, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/v1/products/P-1")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"server {args} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _orders(batch: int, start: int) -> dict[str, Any]:
    return {
        "orders": [
            {
                "order_id": f"B-{start + i}",
                "customer_id": f"C-{(start + i) % 500}",
                "ordered_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00",
                "channel": "web",
                "lines": [
                    {"product_id": f"P-{(i * 7 + j) % 300}", "quantity": 1 + j, "unit_price": 9.5}
                    for j in range(3)
                ],
            }
            for i in range(batch)
        ]
    }


def _measure(base: str, headers: dict[str, str], requests: int, batches: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    with httpx.Client(base_url=base, headers=headers) as client:
        for path in ("/v1/products/P-1", "/v1/customers/C-1"):
            if client.get(path).status_code == 404:  # the anchor has no customers route
                continue
            for _ in range(50):  # warm up
                client.get(path)
            start = time.perf_counter()
            for _ in range(requests):
                client.get(path).raise_for_status()
            figures[f"GET {path} req/s"] = requests / (time.perf_counter() - start)
        bodies = [_orders(1_000, b * 1_000) for b in range(batches)]
        start = time.perf_counter()
        for body in bodies:
            response = client.post("/v1/orders", json=body, timeout=120)
            assert response.status_code == 201, response.text
        figures["POST /v1/orders orders/s (1,000 per request)"] = (
            batches * 1_000 / (time.perf_counter() - start)
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--batches", type=int, default=5)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kunde-bench-api-") as tmp:
        url = f"sqlite:///{tmp}/kunde.db"
        engine = Engine(Settings(database_url=url, data_dir=Path(tmp) / "data"))
        engine.init()
        engine.upsert_products([ProductIn(product_id="P-1", name="Spaten", price=29.9)])
        engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])
        key = engine.create_key("admin", "bench")
        engine.close()
        env = {**os.environ, "KUNDE_DATABASE_URL": url, "KUNDE_DATA_DIR": f"{tmp}/data"}
        kunde_cmd = [sys.executable, "-c", "from kunde.cli import main; main()", "serve"]
        with _server(kunde_cmd, env) as base:
            kunde = _measure(
                base, {"Authorization": f"Bearer {key}"}, options.requests, options.batches
            )
        bare_cmd = bare_server()
        with _server(bare_cmd, env) as base:
            bare = _measure(base, {}, options.requests, options.batches)

    rows = [
        [
            name,
            round(kunde[name], 1),
            round(bare[name], 1) if name in bare else "-",
            round(kunde[name] / bare[name], 2) if name in bare else "-",
        ]
        for name in kunde
    ]
    print_table(
        "kunde HTTP API vs the bare FastAPI + uvicorn stack (1 worker, sequential client)",
        ["measure", "kunde", "bare stack", "kunde / bare"],
        rows,
    )
    path = write_result(
        "api",
        {
            "machine": machine("fastapi", "uvicorn", "starlette", "pydantic", "sqlalchemy"),
            "database": "sqlite",
            "requests": options.requests,
            "batches": options.batches,
            "kunde": kunde,
            "bare_stack": bare,
        },
    )
    print(f"\nwritten: {path}")


if __name__ == "__main__":
    main()
