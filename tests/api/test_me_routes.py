"""/v1/me self-service, customer tokens, export and erasure over HTTP."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient

from kunde.engine import Engine
from kunde.identity import CustomerProfile
from kunde.privacy import Actor, PaymentMethodIn, issue_customer_token

PERSONALIZATION = {
    "purpose": "personalization",
    "granted": True,
    "policy_version": "v2",
    "source": "app",
}


@pytest.fixture
def me(engine: Engine) -> dict[str, str]:
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana", language="de")])
    token = engine.issue_customer_token(Actor(key_id=None, role="staff"), "C-1").token
    return {"Authorization": f"Bearer {token}"}


def test_me_shows_inventory_consents_interests_and_methods(
    client: TestClient, engine: Engine, me: dict[str, str], auth: dict[str, dict[str, str]]
) -> None:
    order = {
        "order_id": "O-1",
        "customer_id": "C-1",
        "ordered_at": "2026-11-02T10:00:00",
        "lines": [
            {"product_id": "P-1", "quantity": 1, "unit_price": 4.0},
            {"product_id": "P-2", "quantity": 1, "unit_price": 4.0, "is_gift": True},
        ],
    }
    client.post(
        "/v1/products", json={"product_id": "P-1", "category": "Garten"}, headers=auth["admin"]
    )
    client.post(
        "/v1/products", json={"product_id": "P-2", "category": "Spielzeug"}, headers=auth["admin"]
    )
    assert client.post("/v1/orders", json=order, headers=auth["admin"]).status_code == 201
    engine.add_payment_method(Actor(None, "staff"), "C-1", PaymentMethodIn(provider="p", token="t"))
    assert client.post("/v1/me/consents", json=PERSONALIZATION, headers=me).status_code == 201
    body = client.get("/v1/me", headers=me).json()
    assert body["profile"]["given_name"] == "Jana"
    assert {c["category"] for c in body["data_inventory"]} >= {"profile", "orders", "interests"}
    assert all(c["benefit"] and c["retention"] for c in body["data_inventory"])
    assert body["interests"] == {
        "used_for_personalization": True,
        "categories": [{"category": "Garten", "interest": 1.0}],  # the gift does not count
    }
    assert [c["purpose"] for c in body["consents"]["history"]] == ["personalization"]
    assert [m["provider"] for m in body["payment_methods"]] == ["p"]


def test_changes_are_audited_with_the_customer_as_actor(
    client: TestClient, me: dict[str, str], auth: dict[str, dict[str, str]]
) -> None:
    changed = client.put("/v1/me", json={"language": "en", "formality": "informal"}, headers=me)
    assert changed.status_code == 200
    assert (changed.json()["language"], changed.json()["given_name"]) == ("en", "Jana")
    client.post("/v1/me/consents", json=PERSONALIZATION, headers=me)
    client.get("/v1/me/export", headers=me)
    trail = client.get("/v1/audit", params={"customer_id": "C-1"}, headers=auth["admin"]).json()
    mine = [e for e in trail["entries"] if e["actor_role"] == "customer"]
    assert [e["action"] for e in mine] == [
        "personal_data.export",
        "consent.record",
        "profile.update",
    ]
    ledger = client.get("/v1/customers/C-1/consents", headers=auth["staff"]).json()
    assert ledger["history"][0]["recorded_by"] == "customer:self"


@pytest.mark.parametrize(
    "body",
    [{"customer_id": "C-2"}, {"email": "no-at-sign"}, [1], {"phone": "call me"}, {"x": 1}],
    ids=["other-customer", "bad-email", "not-object", "bad-phone", "unknown-field"],
)
def test_bad_changes_are_422(client: TestClient, me: dict[str, str], body: object) -> None:
    response = client.put("/v1/me", json=body, headers=me)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


def test_oversized_and_malformed_bodies_are_refused(
    client: TestClient, engine: Engine, me: dict[str, str]
) -> None:
    limit = engine.settings.max_body_bytes
    huge = b'{"given_name": "' + b"a" * limit + b'"}'
    assert client.put("/v1/me", content=huge, headers=me).status_code == 413
    assert client.put("/v1/me", content=b'{"given_name": ', headers=me).status_code == 422
    assert client.post("/v1/me/consents", content=b"\xff\xfe", headers=me).status_code == 422


def test_expired_tampered_and_foreign_secret_tokens_are_401(
    client: TestClient, engine: Engine, me: dict[str, str]
) -> None:
    from datetime import datetime, timedelta

    secret = engine.settings.secret_key
    old = issue_customer_token(secret, "C-1", datetime(2020, 1, 1), 3600).token
    other = issue_customer_token("x" * 40, "C-1", datetime.now() + timedelta(hours=1), 60).token
    token = me["Authorization"].removeprefix("Bearer ")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad, message in [(old, "expired"), (other, "signature"), (tampered, "signature")]:
        response = client.get("/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401 and message in response.json()["detail"]


def test_token_lifetime_is_bounded(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    client.put("/v1/customers/C-9", json={"given_name": "A"}, headers=auth["admin"])
    ok = client.post("/v1/customers/C-9/token?ttl_seconds=600", headers=auth["staff"])
    assert ok.status_code == 201 and ok.json()["token_type"] == "Bearer"
    too_long = client.post("/v1/customers/C-9/token?ttl_seconds=600000", headers=auth["staff"])
    assert too_long.status_code == 422
    assert client.post("/v1/customers/C-404/token", headers=auth["staff"]).status_code == 404


def test_export_zip_explains_itself(
    client: TestClient, me: dict[str, str], auth: dict[str, dict[str, str]]
) -> None:
    response = client.get("/v1/customers/C-1/export", headers=auth["staff"])
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    readme = archive.read("README.txt").decode()
    for name in archive.namelist():
        assert name == "README.txt" or name in readme
    assert json.loads(archive.read("profile.json"))["given_name"] == "Jana"
    assert archive.read("orders.csv").decode().startswith("order_id,ordered_at,")


def test_erased_customer_token_stops_working(
    client: TestClient, me: dict[str, str], auth: dict[str, dict[str, str]]
) -> None:
    assert client.delete("/v1/customers/C-1", headers=auth["staff"]).status_code == 403
    assert client.delete("/v1/customers/C-1", headers=auth["admin"]).status_code == 200
    assert client.get("/v1/me", headers=me).status_code == 401  # an erasure revokes the tokens
    assert client.delete("/v1/customers/C-1", headers=auth["admin"]).status_code == 404
    trail = client.get("/v1/audit", headers=auth["admin"]).json()["entries"]
    assert all(e["customer_id"] != "C-1" for e in trail)
    assert trail[0]["action"] == "customer.erase" and trail[0]["customer_id"] is None
