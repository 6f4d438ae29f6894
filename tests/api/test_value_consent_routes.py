"""Value scoring checks ``analytics`` (legitimate interest): an objection stops it."""

from __future__ import annotations

import io
import json
import zipfile

from fastapi.testclient import TestClient

from kunde.engine import Engine
from kunde.privacy import Actor

STAFF = Actor(key_id=None, role="staff")


def _analytics(granted: bool) -> dict[str, object]:
    return {"purpose": "analytics", "granted": granted, "policy_version": "v1", "source": "web"}


def test_an_objection_to_analytics_stops_value_scoring_on_the_next_request(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    result = engine.build_demo(customers=300)
    customer = str(result["example_customer_id"])
    url = f"/v1/customers/{customer}/value"
    before = client.get(url, headers=auth["staff"]).json()
    assert before["profiled"] is True and before["expected_value"] >= 0
    assert before["not_profiled_reason"] is None
    counted = client.get("/v1/segments", headers=auth["analyst"]).json()["customers"]

    # the shop's backend reports the objection (integration may record consent)
    posted = client.post(
        f"/v1/customers/{customer}/consents", json=_analytics(False), headers=auth["integration"]
    )
    assert posted.status_code == 201, posted.text
    for role in ("admin", "staff"):
        objected = client.get(url, headers=auth[role])
        assert objected.status_code == 200, objected.text
        body = objected.json()
        assert body["profiled"] is False and "analytics" in body["not_profiled_reason"]
        assert body["expected_value"] is None and body["p_alive"] is None
        assert body["segment"] is None and body["frequency"] is None
    assert client.get(url, headers=auth["analyst"]).status_code == 403
    assert client.get(url, headers=auth["integration"]).status_code == 403
    assert client.get("/v1/segments", headers=auth["analyst"]).json()["customers"] == counted - 1

    token = engine.issue_customer_token(STAFF, customer).token
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["value_profiling"]["profiled"] is False
    assert me["value_profiling"]["legal_basis"] == "legitimate_interest"
    export = client.get(f"/v1/customers/{customer}/export", headers=auth["staff"])
    value = json.loads(zipfile.ZipFile(io.BytesIO(export.content)).read("value.json"))
    assert value["profiled"] is False and value["expected_value"] is None

    # a new grant takes effect on the next request too
    client.post(f"/v1/customers/{customer}/consents", json=_analytics(True), headers=auth["staff"])
    again = client.get(url, headers=auth["staff"]).json()
    assert again == {**before, "profiled": True}
    assert client.get("/v1/segments", headers=auth["analyst"]).json()["customers"] == counted
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["value_profiling"]["profiled"] is True


def test_the_customer_objects_through_v1_me(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    result = engine.build_demo(customers=300)
    customer = str(result["example_customer_id"])
    token = engine.issue_customer_token(STAFF, customer).token
    mine = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/me", headers=mine).json()["value_profiling"]["profiled"] is True
    assert client.post("/v1/me/consents", json=_analytics(False), headers=mine).status_code == 201
    assert client.get("/v1/me", headers=mine).json()["value_profiling"]["profiled"] is False
    value = client.get(f"/v1/customers/{customer}/value", headers=auth["admin"]).json()
    assert value["profiled"] is False
