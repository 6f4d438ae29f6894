"""``PUT /v1/customers/{customer_id}``: create or replace a profile."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kunde.engine import Engine

ANNA: dict[str, Any] = {
    "given_name": "Anna",
    "family_name": "Müller",
    "salutation": "Frau",
    "title": "Dr.",
    "language": "de",
    "formality": "formal",
    "email": "anna.mueller@example.de",
    "phone": "+49 30 1234567",
    "country": "DE",
    "addresses": [
        {
            "kind": "delivery",
            "street": "Hauptstraße 5",
            "postal_code": "10115",
            "city": "Berlin",
            "country": "DE",
        },
        {
            "kind": "delivery",
            "name": "Büro",
            "street": "Am Markt 1",
            "postal_code": "80331",
            "city": "München",
            "country": "DE",
        },
        {
            "kind": "billing",
            "street": "Postfach 12",
            "postal_code": "10117",
            "city": "Berlin",
            "country": "DE",
        },
    ],
    "channels": {
        "email": {"allowed": True, "preferred": True, "max_per_month": 4},
        "postal_letter": {"allowed": True, "max_per_month": 1},
        "sms": {"allowed": False},
        "push": {"allowed": False},
        "chat": {"allowed": True},
        "phone": {"allowed": False},
        "store_visit": {"allowed": True, "preferred": True},
    },
}


def test_put_creates_then_replaces(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    created = client.put("/v1/customers/C-1", json=ANNA, headers=auth["staff"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["customer_id"] == "C-1"
    assert {k: body[k] for k in ("given_name", "title", "language", "formality")} == {
        "given_name": "Anna",
        "title": "Dr.",
        "language": "de",
        "formality": "formal",
    }
    assert [a["city"] for a in body["addresses"]] == ["Berlin", "München", "Berlin"]
    assert [a["kind"] for a in body["addresses"]] == ["delivery", "delivery", "billing"]
    assert body["channels"]["email"] == {"allowed": True, "preferred": True, "max_per_month": 4}
    assert body["channels"]["sms"] == {"allowed": False, "preferred": False, "max_per_month": None}
    assert set(body["channels"]) == {
        "email",
        "postal_letter",
        "sms",
        "push",
        "chat",
        "phone",
        "store_visit",
    }

    replaced = client.put(
        "/v1/customers/C-1",
        json={
            "customer_id": "C-1",
            "given_name": "Anna",
            "language": "en",
            "formality": "informal",
        },
        headers=auth["admin"],
    )
    assert replaced.status_code == 200
    assert replaced.json()["language"] == "en"
    assert replaced.json()["addresses"] == []  # a PUT is the whole profile
    assert replaced.json()["created_at"] == body["created_at"]
    read = client.get("/v1/customers/C-1", headers=auth["staff"]).json()
    assert read["formality"] == "informal" and read["channels"] == {}


def test_put_for_a_customer_known_from_orders_keeps_their_purchases(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    order = {
        "order_id": "O-1",
        "customer_id": "C-5",
        "ordered_at": "2026-10-01T08:00:00",
        "lines": [{"product_id": "P-1", "quantity": 1, "unit_price": 10.0}],
    }
    assert client.post("/v1/orders", json=order, headers=auth["integration"]).status_code == 201
    response = client.put("/v1/customers/C-5", json={"given_name": "Ben"}, headers=auth["staff"])
    assert response.status_code == 200  # kunde knew the customer from the order
    assert response.json()["summary"]["net_revenue"] == 10.0


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"customer_id": "C-2"}, ["body", "customer_id"]),
        ({"language": "fr"}, ["body", "language"]),
        ({"formality": "casual"}, ["body", "formality"]),
        ({"email": "not-an-address"}, ["body", "email"]),
        ({"phone": "call me maybe"}, ["body", "phone"]),
        ({"channels": {"pigeon": {"allowed": True}}}, ["body", "channels", "pigeon", "[key]"]),
        ({"channels": {"sms": {"allowed": False, "preferred": True}}}, ["body", "channels", "sms"]),
        (
            {"channels": {"email": {"max_per_month": -1}}},
            ["body", "channels", "email", "max_per_month"],
        ),
        ({"addresses": [{"street": "x"}]}, ["body", "addresses", 0, "postal_code"]),
        ({"nickname": "Anni"}, ["body", "nickname"]),
        ({"given_name": "x" * 101}, ["body", "given_name"]),
    ],
    ids=[
        "other-id",
        "language",
        "formality",
        "email",
        "phone",
        "unknown-channel",
        "preferred-not-allowed",
        "negative-cap",
        "address",
        "unknown-field",
        "too-long",
    ],
)
def test_invalid_profiles_are_422_with_the_field(
    client: TestClient, auth: dict[str, dict[str, str]], body: dict[str, Any], loc: list[Any]
) -> None:
    response = client.put("/v1/customers/C-1", json=body, headers=auth["staff"])
    assert response.status_code == 422
    assert loc in [error["loc"] for error in response.json()["detail"]]


@pytest.mark.parametrize(
    "content",
    [b"", b"[]", b"null", b'"Anna"', b"{", b'{"given_name": 1}', b'{"addresses": {}}', b"\xff"],
    ids=["empty", "list", "null", "string", "broken", "number-name", "addresses-object", "bytes"],
)
def test_bad_bodies_are_422_never_500(
    client: TestClient, auth: dict[str, dict[str, str]], content: bytes
) -> None:
    response = client.put(
        "/v1/customers/C-1",
        content=content,
        headers={**auth["admin"], "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text


def test_profile_changes_are_audited_by_field_name(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    client.put("/v1/customers/C-1", json=ANNA, headers=auth["staff"])
    client.put(
        "/v1/customers/C-1",
        json={**ANNA, "email": "anna@example.org"},
        headers={**auth["staff"], "X-Request-ID": "req-77", "X-Audit-Reason": "Ticket 4711"},
    )
    entries, _ = engine.audit_trail(customer_id="C-1")
    update, create = entries
    assert create.action == "profile.create" and create.actor_role == "staff"
    assert "given_name" in create.details["fields"]
    assert update.action == "profile.update"
    assert update.details == {"fields": ["email"]}
    assert (update.request_id, update.reason) == ("req-77", "Ticket 4711")
    assert "anna" not in str(update.details).lower()  # names of fields, never values
