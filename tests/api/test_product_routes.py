"""``POST /v1/products`` and ``GET /v1/products/{product_id}``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pytest import MonkeyPatch

from kunde.engine import Engine

SPATEN = {
    "product_id": "P-1",
    "name": "Spaten",
    "category": "Garten > Werkzeug",
    "brand": "Gardena",
    "price": 29.9,
    "released_at": "2026-03-01",
    "description": "Ein Spaten aus Stahl.",
}


def test_post_one_product_then_read_it(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    created = client.post("/v1/products", json=SPATEN, headers=auth["integration"])
    assert created.status_code == 201
    assert created.json() == {"created": 1, "updated": 0, "unchanged": 0}
    read = client.get("/v1/products/P-1", headers=auth["analyst"])
    assert read.status_code == 200
    assert {k: read.json()[k] for k in SPATEN} == SPATEN


def test_posting_again_updates(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    client.post("/v1/products", json=SPATEN, headers=auth["integration"])
    cheaper = {**SPATEN, "price": 24.9}
    rake = {"product_id": "P-2", "name": "Rechen"}
    response = client.post(
        "/v1/products", json={"products": [cheaper, rake]}, headers=auth["integration"]
    )
    assert response.status_code == 201
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 0}
    renamed = {**cheaper, "name": "Spaten, Edelstahl"}
    only_update = client.post(
        "/v1/products", json={"products": [renamed, rake]}, headers=auth["integration"]
    )
    assert only_update.status_code == 200
    assert only_update.json() == {"created": 0, "updated": 1, "unchanged": 1}
    assert client.get("/v1/products/P-1", headers=auth["staff"]).json()["price"] == 24.9


def test_unknown_product_is_404(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    response = client.get("/v1/products/P-404", headers=auth["integration"])
    assert response.status_code == 404
    assert "P-404" in response.json()["detail"]


def test_negative_price_is_422_at_the_field(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    response = client.post(
        "/v1/products", json={"products": [SPATEN, {**SPATEN, "price": -1}]}, headers=auth["admin"]
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "products", 1, "price"]
    assert client.get("/v1/products/P-1", headers=auth["admin"]).status_code == 404


def test_a_networked_database_is_read_from_a_thread(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine, monkeypatch: MonkeyPatch
) -> None:
    # On PostgreSQL the route hands the read to a thread instead of the event loop; the
    # answers are the same.
    assert engine.reads_inline()  # the test store is SQLite
    client.post("/v1/products", json=SPATEN, headers=auth["integration"])
    monkeypatch.setattr(engine, "reads_inline", lambda: False)
    assert client.get("/v1/products/P-1", headers=auth["analyst"]).json()["name"] == "Spaten"
    assert client.get("/v1/products/P-404", headers=auth["analyst"]).status_code == 404
