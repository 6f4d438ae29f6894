"""``GET /v1/customers/{customer_id}/value`` and ``GET /v1/segments``."""

from __future__ import annotations

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
