"""An erased customer is not brought back through the API: writes that name them are 409."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kunde.engine import Engine
from kunde.identity import CustomerProfile

ORDER = {
    "order_id": "O-9",
    "customer_id": "C-1",
    "ordered_at": "2026-11-02T10:00:00",
    "lines": [{"product_id": "P-1", "quantity": 1, "unit_price": 4.5}],
}
EVENT = {"event_id": "E-9", "occurred_at": "2026-11-02T09:58:00", "type": "view"}
CONSENT = {"purpose": "sms", "granted": True, "policy_version": "v1", "source": "web"}


def test_writes_naming_an_erased_customer_are_refused(
    client: TestClient, engine: Engine, auth: dict[str, dict[str, str]]
) -> None:
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])
    assert client.post("/v1/orders", json=ORDER, headers=auth["integration"]).status_code == 201
    assert client.delete("/v1/customers/C-1", headers=auth["admin"]).status_code == 200

    batch = {"orders": [{**ORDER, "order_id": "O-10", "customer_id": "C-2"}, ORDER]}
    refused = {
        "orders": client.post("/v1/orders", json=batch, headers=auth["integration"]),
        "events": client.post(
            "/v1/events",
            json={"events": [{**EVENT, "customer_id": "C-1"}]},
            headers=auth["integration"],
        ),
        "identify": client.post(
            "/v1/identify",
            json={"customer_id": "C-1", "identifiers": [{"kind": "device_id", "value": "d-1"}]},
            headers=auth["staff"],
        ),
        "profile": client.put("/v1/customers/C-1", json={"given_name": "J"}, headers=auth["staff"]),
        "consent": client.post(
            "/v1/customers/C-1/consents", json=CONSENT, headers=auth["integration"]
        ),
    }
    for what, answer in refused.items():
        assert answer.status_code == 409, (what, answer.text)
        detail = answer.json()["detail"]
        assert "erased at their request" in detail and "C-1" not in detail, what
    assert refused["orders"].json()["detail"].startswith("orders[1].customer_id:")
    # nothing of the request was stored: not even the other customer's order
    assert client.get("/v1/customers/C-1", headers=auth["admin"]).status_code == 404
    assert client.get("/v1/customers/C-2", headers=auth["admin"]).status_code == 404
    # other customers and anonymous events are not affected
    anonymous = {"events": [{**EVENT, "anonymous_id": "a-1"}]}
    assert client.post("/v1/events", json=anonymous, headers=auth["integration"]).status_code == 201
    other = {**ORDER, "order_id": "O-11", "customer_id": "C-2"}
    assert client.post("/v1/orders", json=other, headers=auth["integration"]).status_code == 201
