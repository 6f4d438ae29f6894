"""``GET /v1/audit`` and what is recorded in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from kunde.api import create_app
from kunde.engine import Engine
from kunde.identity import CustomerProfile


@pytest.fixture(autouse=True)
def _customers(engine: Engine) -> None:
    engine.upsert_customers(
        [CustomerProfile(customer_id="C-1", given_name="Jana"), CustomerProfile(customer_id="C-2")]
    )


def test_a_staff_read_of_a_customer_is_recorded(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    headers = {**auth["staff"], "X-Request-ID": "req-1", "X-Audit-Reason": "Ticket 4711"}
    assert client.get("/v1/customers/C-1", headers=headers).status_code == 200
    body = client.get("/v1/audit", headers=auth["admin"]).json()
    (entry,) = body["entries"]
    staff_key = engine.authenticate(auth["staff"]["Authorization"].removeprefix("Bearer "))
    assert entry["actor_key_id"] == staff_key.key_id
    assert entry["actor_role"] == "staff"
    assert entry["action"] == "personal_data.read"
    assert entry["customer_id"] == "C-1"
    assert (entry["request_id"], entry["reason"]) == ("req-1", "Ticket 4711")
    assert entry["details"] == {"what": "GET /v1/customers/{customer_id}"}
    assert body["next_before"] is None


def test_refused_reads_are_not_recorded(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    assert client.get("/v1/customers/C-1", headers=auth["analyst"]).status_code == 403
    assert client.get("/v1/customers/C-1").status_code == 401
    assert engine.audit_trail()[0] == []


def test_filters_and_pages(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    start = datetime.now(UTC)
    for _ in range(3):
        client.get("/v1/customers/C-1", headers=auth["staff"])
        client.get("/v1/customers/C-2", headers=auth["staff"])
    admin = auth["admin"]
    only_c2 = client.get("/v1/audit", params={"customer_id": "C-2"}, headers=admin).json()
    assert [e["customer_id"] for e in only_c2["entries"]] == ["C-2"] * 3

    seen = []
    params: dict[str, str | int] = {"limit": 4}
    while True:
        page = client.get("/v1/audit", params=params, headers=admin).json()
        assert len(page["entries"]) <= 4
        seen.extend(e["entry_id"] for e in page["entries"])
        if page["next_before"] is None:
            break
        params["before"] = page["next_before"]
    assert len(seen) == 6 and seen == sorted(seen, reverse=True)

    since = (start - timedelta(minutes=1)).isoformat()
    recent = client.get("/v1/audit", params={"since": since}, headers=admin).json()
    assert len(recent["entries"]) == 6
    future = (start + timedelta(hours=1)).isoformat()
    later = client.get("/v1/audit", params={"since": future}, headers=admin).json()
    assert later["entries"] == []
    until = client.get("/v1/audit", params={"until": since}, headers=admin).json()
    assert until["entries"] == []


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 501}, {"before": 0}, {"since": "yesterday"}, {"customer_id": ""}],
    ids=["limit-0", "limit-501", "before-0", "since", "customer-id"],
)
def test_bad_queries_are_422(
    client: TestClient, auth: dict[str, dict[str, str]], params: dict[str, object]
) -> None:
    response = client.get("/v1/audit", params=params, headers=auth["admin"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


@pytest.mark.parametrize(
    ("header", "value"),
    [("X-Request-ID", "has space"), ("X-Request-ID", "x" * 65), ("X-Audit-Reason", "r" * 201)],
    ids=["request-id-space", "request-id-long", "reason-long"],
)
def test_bad_audit_headers_are_422(
    client: TestClient, auth: dict[str, dict[str, str]], header: str, value: str
) -> None:
    response = client.get("/v1/customers/C-1", headers={**auth["staff"], header: value})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", header.lower()]


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"since": "0001-01-01T00:30:00+01:00"}, 1),
        ({"until": "9999-12-31T23:59:59-12:00"}, 1),
        ({"until": "0001-01-01T00:30:00+01:00"}, 0),
    ],
    ids=["since-before-the-calendar", "until-after-it", "until-before-it"],
)
def test_times_beyond_the_calendar_in_utc_are_clamped(
    client: TestClient,
    auth: dict[str, dict[str, str]],
    params: dict[str, str],
    count: int,
) -> None:
    client.get("/v1/customers/C-1", headers=auth["staff"])
    response = client.get("/v1/audit", params=params, headers=auth["admin"])
    assert response.status_code == 200
    assert len(response.json()["entries"]) == count


def test_profile_payment_consent_and_audit_on_every_database(any_engine: Engine) -> None:
    staff = {"Authorization": f"Bearer {any_engine.create_key('staff')}"}
    admin = {"Authorization": f"Bearer {any_engine.create_key('admin')}"}
    shop = {"Authorization": f"Bearer {any_engine.create_key('integration')}"}
    profile = {"given_name": "Jana", "language": "de", "channels": {"sms": {"allowed": False}}}
    method = {"provider": "mollie", "token": "mdt_pWUnw6pkBN", "label": "SEPA"}
    consent = {
        "purpose": "personalization",
        "granted": True,
        "policy_version": "3",
        "source": "app",
    }
    url = "/v1/customers/C-9"
    with TestClient(create_app(any_engine)) as client:
        assert client.put(url, json=profile, headers=staff).status_code == 201
        pm = client.post(f"{url}/payment-methods", json=method, headers=staff).json()
        assert client.post(f"{url}/consents", json=consent, headers=shop).status_code == 201
        withdraw = {**consent, "granted": False}
        assert client.post(f"{url}/consents", json=withdraw, headers=staff).status_code == 201
        consents = client.get(f"{url}/consents", headers=staff).json()
        removed = client.delete(f"{url}/payment-methods/{pm['payment_method_id']}", headers=staff)
        assert removed.status_code == 204
        trail = client.get("/v1/audit", params={"customer_id": "C-9"}, headers=admin).json()
    assert [h["granted"] for h in consents["history"]] == [True, False]
    assert not any_engine.has_consent("C-9", "personalization")
    assert [e["action"] for e in trail["entries"]] == [
        "payment_method.remove",
        "personal_data.read",
        "consent.record",
        "consent.record",
        "payment_method.add",
        "profile.create",
    ]
