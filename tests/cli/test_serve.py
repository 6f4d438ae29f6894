"""``kunde serve``: the real server, started as a subprocess on a free loopback port."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kunde.config import Settings
from kunde.engine import Engine
from kunde.identity import CustomerProfile


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"kunde serve exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"kunde serve did not become healthy:\n{log.read_text()}")


def test_serve_with_two_workers_answers_authenticated_requests(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kunde.db'}"
    engine = Engine(Settings(database_url=url, data_dir=tmp_path / "data", environment="test"))
    engine.init()
    key = engine.create_key("staff", "serve test")
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])
    engine.close()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KUNDE_DATABASE_URL": url, "KUNDE_DATA_DIR": str(tmp_path / "data")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    (tmp_path / "tmp").mkdir()
    env["TMPDIR"] = str(tmp_path / "tmp")  # where serve puts the workers' metrics files
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from kunde.cli import main; main()",
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(base, server, log)
        assert httpx.get(f"{base}/v1/customers/C-1").status_code == 401
        headers = {"Authorization": f"Bearer {key}"}
        for _ in range(4):  # spread over both workers
            response = httpx.get(f"{base}/v1/customers/C-1", headers=headers)
            assert response.status_code == 200
            assert response.json()["given_name"] == "Jana"
        metrics = httpx.get(f"{base}/metrics").text
        served = re.search(
            r'kunde_http_requests_total\{method="GET",route="/v1/customers/\{customer_id\}",'
            r'status="200"\} (\S+)',
            metrics,
        )
        assert served is not None and float(served[1]) == 4  # summed over the workers
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, log.read_text()
    assert list((tmp_path / "tmp").iterdir()) == []  # the metrics files are cleaned up
