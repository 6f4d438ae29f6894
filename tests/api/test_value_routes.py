"""``GET /v1/customers/{customer_id}/value`` and ``GET /v1/segments``."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from kunde._engine.value import artefact_path
from kunde.engine import Engine


def test_value_routes_before_and_after_fitting(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    result = engine.build_demo(customers=300)
    customer = str(result["example_customer_id"])
    artefact_path(engine.settings).unlink()  # the demo fits the value models; start unfitted
    assert client.get("/v1/segments", headers=auth["analyst"]).status_code == 409
    assert client.get(f"/v1/customers/{customer}/value", headers=auth["staff"]).status_code == 409

    fitted = engine.value_fit()
    segments = client.get("/v1/segments", headers=auth["analyst"])
    assert segments.status_code == 200, segments.text
    body = segments.json()
    assert body["customers"] == fitted["customers"]
    counts = {s["segment"]: s["customers"] for s in body["segments"]}
    assert sum(n for name, n in counts.items() if name != "high_value") == fitted["customers"]
    assert 0 < counts["high_value"] <= fitted["customers"]
    assert client.get("/v1/segments", headers=auth["integration"]).status_code == 403

    value = client.get(f"/v1/customers/{customer}/value?horizon_days=90", headers=auth["staff"])
    assert value.status_code == 200, value.text
    data = value.json()
    assert data["customer_id"] == customer and data["horizon_days"] == 90
    assert data["expected_value"] >= 0
    assert data["p_alive"] is None or 0 <= data["p_alive"] <= 1
    analyst = client.get(f"/v1/customers/{customer}/value", headers=auth["analyst"])
    assert analyst.status_code == 403
    missing = client.get("/v1/customers/NOPE-1/value", headers=auth["admin"])
    assert missing.status_code == 404
    trail = engine.audit_trail(customer_id=customer)
    assert any("/value" in str(entry) for entry in trail)


def test_value_scores_are_cached_until_a_new_order_or_a_refit(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    result = engine.build_demo(customers=300)
    customer = str(result["example_customer_id"])
    url = f"/v1/customers/{customer}/value"
    first = client.get(url, headers=auth["staff"]).json()
    assert client.get(url, headers=auth["staff"]).json() == first
    client.get("/v1/segments", headers=auth["analyst"])
    assert engine._value_cache.misses == 1  # one scoring for all three requests
    version = engine.store.value.data_version()

    last = date.fromisoformat(engine.value_fit()["as_of"])
    refit = client.get(url, headers=auth["staff"]).json()
    assert engine._value_cache.misses == 2
    assert refit == first  # same data, same fit

    day = (last + timedelta(days=3)).isoformat()
    order = {
        "order_id": "CACHE-1",
        "customer_id": customer,
        "ordered_at": f"{day}T10:00:00",
        "lines": [{"product_id": "P-CACHE", "quantity": 1, "unit_price": 25.0}],
    }
    assert client.post("/v1/orders", json=order, headers=auth["integration"]).status_code == 201
    assert engine.store.value.data_version() > version
    after = client.get(url, headers=auth["staff"]).json()
    assert engine._value_cache.misses == 3
    assert after["frequency"] == first["frequency"] + 1
    assert after["tenure_days"] == first["tenure_days"] + 3
    assert after["recency_days"] == after["tenure_days"]
    assert after != refit
