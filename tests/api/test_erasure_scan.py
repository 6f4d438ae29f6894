"""Erase a customer, then search every byte kunde wrote for them: the SQLite file with its free
pages, the -wal and -shm files, the data directory (imports, reject files, exports, model
artefacts) and the HTTP access log of a real uvicorn server. Nothing may be found.

Before the erasure the same scan must find the person everywhere, so the test can fail.
"""

from __future__ import annotations

import gzip
import socket
import sqlite3
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import uvicorn

from kunde.api import create_app
from kunde.config import Settings
from kunde.engine import Engine

PERSON = {
    "customer_id": "K-ERASE-7731",
    "given_name": "Xaverine",
    "family_name": "Quenzelbrück",
    "email": "xaverine.quenzel@example.org",
    "phone": "+49 30 5550199",
    "addresses": [
        {"street": "Zwetschgenallee 17", "postal_code": "10115", "city": "Berlin", "country": "DE"}
    ],
}
NEEDLES = [
    "K-ERASE-7731",
    "Xaverine",
    "Quenzelbrück",
    "xaverine.quenzel@example.org",
    "+49 30 5550199",
    "5550199",
    "Zwetschgenallee",
]
ENCODINGS = ("utf-8", "utf-16-le", "utf-32-le")


def _contents(path: Path) -> Iterator[bytes]:
    raw = path.read_bytes()
    yield raw
    if path.suffix == ".gz":
        yield gzip.decompress(raw)
    if raw[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                yield archive.read(name)


def _found(paths: list[Path]) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for path in paths:
        for data in _contents(path):
            for needle in NEEDLES:
                if any(needle.encode(e) in data for e in ENCODINGS):
                    hits.setdefault(path.name, []).append(needle)
    return hits


def _log_config(log: Path) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(client_addr)s - "%(request_line)s" %(status_code)s',
                "use_colors": False,
            }
        },
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": str(log), "formatter": "access"}
        },
        "loggers": {"uvicorn.access": {"handlers": ["file"], "level": "INFO", "propagate": False}},
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Engine]:
    """A small demo shop on an SQLite file, plus the person."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'kunde.db'}",
        data_dir=tmp_path / "data",
        environment="test",
    )
    engine = Engine(settings)
    engine.build_demo(seed=11, customers=60)
    yield engine
    engine.close()


def _serve(engine: Engine, log: Path) -> tuple[uvicorn.Server, threading.Thread, str]:
    port = _free_port()
    config = uvicorn.Config(
        create_app(engine), host="127.0.0.1", port=port, log_config=_log_config(log)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    return server, thread, f"http://127.0.0.1:{port}"


def _use_every_path(engine: Engine, base: str, tmp_path: Path) -> str:
    """The person goes through the API (profile, orders, events, consent, payment methods,
    reads, token, export), a file import with a rejected line and a model artefact."""
    admin = {"Authorization": f"Bearer {engine.create_key('admin')}"}
    cid = PERSON["customer_id"]
    with httpx.Client(base_url=base, headers=admin, timeout=30) as http:
        assert http.put(f"/v1/customers/{cid}", json=PERSON).status_code == 201
        order = {
            "order_id": "O-ERASE-1",
            "customer_id": cid,
            "ordered_at": "2026-10-02T10:00:00",
            "lines": [{"product_id": "P-ERASE", "quantity": 1, "unit_price": 9.5}],
        }
        assert http.post("/v1/orders", json=order).status_code == 201
        event = {
            "event_id": "E-ERASE-1",
            "occurred_at": "2026-10-02T09:00:00",
            "type": "view",
            "customer_id": cid,
            "properties": {"search": "Quenzelbrück"},
        }
        assert http.post("/v1/events", json={"events": [event]}).status_code == 201
        consent = {"purpose": "personalization", "granted": True, "policy_version": "1"}
        assert http.post(f"/v1/customers/{cid}/consents", json={**consent, "source": "web"})
        method = {"provider": "stripe", "token": "pm_erase_me", "label": "Xaverine's card"}
        assert http.post(f"/v1/customers/{cid}/payment-methods", json=method).status_code == 201
        reason = {"X-Audit-Reason": "call from Xaverine, ticket 7"}
        assert http.get(f"/v1/customers/{cid}", headers=reason).status_code == 200
        assert http.get("/v1/audit", params={"customer_id": cid}).status_code == 200
        token = http.post(f"/v1/customers/{cid}/token").json()["token"]
        me = {"Authorization": f"Bearer {token}"}
        assert http.put("/v1/me", json={"language": "de"}, headers=me).status_code == 200
        assert http.delete(f"/v1/customers/{cid}/tokens").status_code == 204  # a revocation row
        token = http.post(f"/v1/customers/{cid}/token").json()["token"]
        objection = {**consent, "purpose": "analytics", "granted": False, "source": "web"}
        assert http.post(f"/v1/customers/{cid}/consents", json=objection).status_code == 201
        export = http.get(f"/v1/customers/{cid}/export")
        (engine.settings.data_dir / "exports").mkdir(parents=True, exist_ok=True)
        (engine.settings.data_dir / "exports" / "export.zip").write_bytes(export.content)
    bad = tmp_path / "orders.csv"
    bad.write_text(
        "customer_id,ordered_at,order_id,product_id,quantity,unit_price\n"
        f"{cid},2026-10-05,O-ERASE-2,P-ERASE,1,4.0\n"
        f"{cid},not-a-date,O-ERASE-3,P-ERASE,1,4.0\n"
    )
    assert engine.import_orders(bad).rejected == 1
    models = engine.settings.data_dir / "models" / "recommend"
    models.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(models / "current.npz", customers=np.array(["C-0001", cid]))
    return token


def _bring_back(engine: Engine, http: httpx.Client, token: str, tmp_path: Path) -> None:
    """After the erasure: every way of writing about the person again is refused, and the
    refusals write nothing of them (the scan runs afterwards)."""
    cid = PERSON["customer_id"]
    me = {"Authorization": f"Bearer {token}"}
    assert http.get("/v1/me", headers=me).status_code == 401
    assert http.put(f"/v1/customers/{cid}", json=PERSON).status_code == 409
    order = {
        "order_id": "O-ERASE-9",
        "customer_id": cid,
        "ordered_at": "2026-10-09T10:00:00",
        "lines": [{"product_id": "P-ERASE", "quantity": 1, "unit_price": 9.5}],
    }
    assert http.post("/v1/orders", json=order).status_code == 409
    event = {"event_id": "E-ERASE-9", "occurred_at": "2026-10-09T09:00:00", "type": "view"}
    posted = http.post("/v1/events", json={"events": [{**event, "customer_id": cid}]})
    assert posted.status_code == 409, posted.text
    identify = {"customer_id": cid, "identifiers": [{"kind": "email", "value": PERSON["email"]}]}
    assert http.post("/v1/identify", json=identify).status_code == 409
    consent = {"purpose": "sms", "granted": True, "policy_version": "1", "source": "web"}
    assert http.post(f"/v1/customers/{cid}/consents", json=consent).status_code == 409
    assert engine.import_orders(tmp_path / "orders.csv").rejected == 2  # the old file again


def test_nothing_of_an_erased_customer_survives(shop: Engine, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    server, thread, base = _serve(shop, log)
    try:
        token = _use_every_path(shop, base, tmp_path)
        files = sorted(p for p in shop.settings.data_dir.rglob("*") if p.is_file())
        before = _found([tmp_path / "kunde.db", tmp_path / "kunde.db-wal", *files])
        assert "kunde.db" in before or "kunde.db-wal" in before
        assert {"current.npz", "export.zip"} <= set(before)
        assert any(name.startswith("orders-rejects-") for name in before)

        admin = {"Authorization": f"Bearer {shop.create_key('admin')}"}
        cid = PERSON["customer_id"]
        with httpx.Client(base_url=base, headers=admin, timeout=60) as http:
            erased = http.delete(f"/v1/customers/{cid}")
            assert erased.status_code == 200, erased.text
            assert erased.json()["wal_emptied"] is True
            for path in ("", "/consents", "/payment-methods", "/export", "/value"):
                assert http.get(f"/v1/customers/{cid}{path}").status_code == 404
            assert http.post(f"/v1/customers/{cid}/token").status_code == 404
            _bring_back(shop, http, token, tmp_path)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
    shop.close()

    database = [tmp_path / name for name in ("kunde.db", "kunde.db-wal", "kunde.db-shm")]
    files = sorted(p for p in shop.settings.data_dir.rglob("*") if p.is_file())
    assert log.read_text().count("/v1/customers/{customer_id}") >= 5
    assert _found([p for p in database if p.exists()] + files + [log]) == {}


def test_a_reader_during_an_api_erasure_does_not_keep_the_person_in_the_wal(
    tmp_path: Path,
) -> None:
    """A long read transaction (another connection) keeps SQLite's WAL busy: the erasure
    answers without waiting for it, and the WAL is emptied as soon as the reader ends."""
    from fastapi.testclient import TestClient

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'kunde.db'}",
        data_dir=tmp_path / "data",
        environment="test",
    )
    engine = Engine(settings)
    engine.init()
    admin = {"Authorization": f"Bearer {engine.create_key('admin')}"}
    wal = tmp_path / "kunde.db-wal"
    with TestClient(create_app(engine)) as http:
        assert http.put(f"/v1/customers/{PERSON['customer_id']}", json=PERSON, headers=admin)
        assert "kunde.db-wal" in _found([wal])  # the person is in the WAL: the test can fail
        reader = sqlite3.connect(tmp_path / "kunde.db")  # the same SQLite library
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM customers").fetchall()
        try:
            erased = http.delete(f"/v1/customers/{PERSON['customer_id']}", headers=admin)
            assert erased.status_code == 200, erased.text
            assert erased.json()["wal_emptied"] is False  # the reader holds it
        finally:
            reader.rollback()
            reader.close()
        deadline = time.monotonic() + 30
        while _found([wal]) and time.monotonic() < deadline:
            time.sleep(0.2)  # the background checkpoint runs every second
        assert _found([wal]) == {}
        assert _found([tmp_path / "kunde.db"]) == {}
    engine.close()
