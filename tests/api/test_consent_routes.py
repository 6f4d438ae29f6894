"""``GET`` and ``POST /v1/customers/{customer_id}/consents``."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kunde.engine import Engine
from kunde.identity import CustomerProfile

URL = "/v1/customers/C-1/consents"


def _change(purpose: str, granted: bool, version: str = "2026-05") -> dict[str, Any]:
    return {"purpose": purpose, "granted": granted, "policy_version": version, "source": "web"}


@pytest.fixture(autouse=True)
def _customer(engine: Engine) -> None:
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])


def test_nothing_is_granted_before_anything_is_recorded(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    body = client.get(URL, headers=auth["staff"]).json()
    assert [s["purpose"] for s in body["current"]] == [
        "personalization",
        "email_marketing",
        "postal_marketing",
        "sms",
        "push",
        "location_offers",
        "analytics",
    ]
    assert not any(s["granted"] for s in body["current"])
    assert body["history"] == []


def test_grants_and_withdrawals_form_the_ledger(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    checkout = {**_change("email_marketing", True), "source": "checkout"}
    first = client.post(URL, json=checkout, headers=auth["integration"])
    assert first.status_code == 201, first.text
    (entry,) = first.json()["recorded"]
    assert entry["recorded_by"].startswith("integration:")
    batch = {
        "consents": [
            _change("personalization", True),
            _change("sms", True),
            _change("email_marketing", False, "2026-06"),
        ]
    }
    assert client.post(URL, json=batch, headers=auth["staff"]).status_code == 201
    body = client.get(URL, headers=auth["admin"]).json()
    state = {s["purpose"]: s for s in body["current"]}
    assert state["personalization"]["granted"] and state["sms"]["granted"]
    assert not state["email_marketing"]["granted"]
    assert state["email_marketing"]["policy_version"] == "2026-06"
    assert not state["analytics"]["granted"] and state["analytics"]["recorded_at"] is None
    history = body["history"]
    assert [(h["purpose"], h["granted"]) for h in history] == [
        ("email_marketing", True),
        ("personalization", True),
        ("sms", True),
        ("email_marketing", False),
    ]
    assert history[0] == entry  # the earlier entry is unchanged
    assert engine.has_consent("C-1", "personalization")
    assert not engine.has_consent("C-1", "email_marketing")
    assert engine.consented_customers("sms") == {"C-1"}


def test_consent_for_a_customer_not_yet_known_is_recorded(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    url = "/v1/customers/C-NEW/consents"
    assert client.get(url, headers=auth["staff"]).status_code == 404
    response = client.post(url, json=_change("analytics", True), headers=auth["integration"])
    assert response.status_code == 201
    body = client.get(url, headers=auth["staff"]).json()
    assert [s["purpose"] for s in body["current"] if s["granted"]] == ["analytics"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({**_change("spam", True)}, ["body", "purpose"]),
        ({**_change("sms", True), "granted": "yes please"}, ["body", "granted"]),
        ({**_change("sms", True), "policy_version": ""}, ["body", "policy_version"]),
        ({**_change("sms", True), "source": "Web Shop!"}, ["body", "source"]),
        ({**_change("sms", True), "recorded_at": "2020-01-01"}, ["body", "recorded_at"]),
        ({"consents": []}, ["body", "consents"]),
        ({"consents": [_change("sms", True)] * 51}, ["body", "consents"]),
        (
            {"consents": [_change("sms", True), _change("x", True)]},
            ["body", "consents", 1, "purpose"],
        ),
    ],
    ids=[
        "purpose",
        "granted",
        "policy-version",
        "source",
        "no-backdating",
        "empty-batch",
        "batch-too-long",
        "second-in-batch",
    ],
)
def test_invalid_changes_are_422_with_the_field(
    client: TestClient, auth: dict[str, dict[str, str]], body: dict[str, Any], loc: list[Any]
) -> None:
    response = client.post(URL, json=body, headers=auth["staff"])
    assert response.status_code == 422
    assert loc in [error["loc"] for error in response.json()["detail"]]
    assert client.get(URL, headers=auth["staff"]).json()["history"] == []  # nothing written


@pytest.mark.parametrize(
    "content",
    [b"", b"[]", b"null", b"{", b'{"consents": {}}', b"\xff", b"1e999"],
    ids=["empty", "list", "null", "broken", "consents-object", "bytes", "huge-number"],
)
def test_bad_bodies_are_422_never_500(
    client: TestClient, auth: dict[str, dict[str, str]], content: bytes
) -> None:
    headers = {**auth["staff"], "Content-Type": "application/json"}
    assert client.post(URL, content=content, headers=headers).status_code == 422


def test_consent_changes_and_reads_are_audited(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    client.post(
        URL,
        json={"consents": [_change("push", True), _change("sms", False)]},
        headers={**auth["integration"], "X-Request-ID": "checkout-991"},
    )
    client.get(URL, headers={**auth["staff"], "X-Audit-Reason": "customer called"})
    read, recorded = engine.audit_trail(customer_id="C-1")[0]
    assert recorded.action == "consent.record" and recorded.actor_role == "integration"
    assert recorded.request_id == "checkout-991"
    assert recorded.details == {
        "changes": [{"purpose": "push", "granted": True}, {"purpose": "sms", "granted": False}]
    }
    assert read.action == "personal_data.read" and read.actor_role == "staff"
    assert read.reason == "customer called"
    assert read.details == {"what": "GET /v1/customers/{customer_id}/consents"}
