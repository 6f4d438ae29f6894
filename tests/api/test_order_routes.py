"""``POST /v1/orders``: idempotent by order_id, 409 on changed content."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from kunde.engine import Engine


def _order(order_id: str, customer_id: str = "C-1", price: float = 4.5) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "ordered_at": "2026-11-02T10:00:00",
        "channel": "web",
        "lines": [
            {"product_id": "P-1", "quantity": 2, "unit_price": price},
            {"product_id": "P-2", "quantity": 1, "unit_price": 19.0, "is_gift": True},
        ],
    }


def test_new_order_is_201_and_a_retry_is_200_unchanged(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    first = client.post("/v1/orders", json=_order("O-1"), headers=auth["integration"])
    assert first.status_code == 201
    assert first.json() == {"created": ["O-1"], "unchanged": []}
    again = client.post("/v1/orders", json=_order("O-1"), headers=auth["integration"])
    assert again.status_code == 200
    assert again.json() == {"created": [], "unchanged": ["O-1"]}


def test_changed_content_under_a_known_id_is_409_and_changes_nothing(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    client.post("/v1/orders", json=_order("O-1"), headers=auth["integration"])
    before = engine.get_customer("C-1")["summary"]
    changed = client.post("/v1/orders", json=_order("O-1", price=5.0), headers=auth["integration"])
    assert changed.status_code == 409
    assert "O-1" in changed.json()["detail"]
    assert engine.get_customer("C-1")["summary"] == before


def test_a_batch_reports_new_and_known_orders(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    client.post("/v1/orders", json=_order("O-1"), headers=auth["admin"])
    batch = {"orders": [_order("O-1"), _order("O-2", "C-2"), _order("O-3")]}
    response = client.post("/v1/orders", json=batch, headers=auth["admin"])
    assert response.status_code == 201
    body = response.json()
    assert sorted(body["created"]) == ["O-2", "O-3"]
    assert body["unchanged"] == ["O-1"]


def test_posted_orders_show_in_the_customer_summary(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    client.post(
        "/v1/orders", json={"orders": [_order("O-1"), _order("O-2")]}, headers=auth["integration"]
    )
    customer = client.get("/v1/customers/C-1", headers=auth["staff"])
    assert customer.status_code == 200
    summary = customer.json()["summary"]
    assert summary["first_purchase_day"] == "2026-11-02"
    assert summary["purchase_days"] == 1
    assert summary["net_revenue"] == 2 * (2 * 4.5 + 19.0)


def test_an_anonymous_order_is_accepted(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    order = _order("O-9")
    del order["customer_id"]
    response = client.post("/v1/orders", json=order, headers=auth["integration"])
    assert response.status_code == 201


def test_ingest_counters(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    client.post("/v1/orders", json=_order("O-1"), headers=auth["integration"])
    client.post(
        "/v1/orders", json={"orders": [_order("O-1"), _order("O-2")]}, headers=auth["integration"]
    )
    text = client.get("/metrics").text
    assert 'kunde_ingested_items_total{kind="orders",outcome="created"} 2.0' in text
    assert 'kunde_ingested_items_total{kind="orders",outcome="unchanged"} 1.0' in text


def test_the_posted_body_is_not_modified_by_validation(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    order = _order("O-1")
    sent = copy.deepcopy(order)
    client.post("/v1/orders", json=order, headers=auth["integration"])
    assert order == sent
