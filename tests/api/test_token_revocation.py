"""Revoking customer tokens: by staff (all so far), by the customer (this session), by erasure."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from kunde.engine import Engine
from kunde.identity import CustomerProfile
from kunde.privacy import TOKEN_PREFIX, Actor
from kunde.privacy._tokens import _b64, _sign

STAFF = Actor(key_id=None, role="staff")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _shop(engine: Engine) -> None:
    engine.upsert_customers(
        [
            CustomerProfile(customer_id="C-1", given_name="Jana"),
            CustomerProfile(customer_id="C-2", given_name="Tom"),
        ]
    )


def test_staff_revoke_every_token_issued_so_far(
    client: TestClient, engine: Engine, auth: dict[str, dict[str, str]]
) -> None:
    _shop(engine)
    phone, laptop = (engine.issue_customer_token(STAFF, "C-1").token for _ in range(2))
    other = engine.issue_customer_token(STAFF, "C-2").token
    assert client.get("/v1/me", headers=_bearer(phone)).status_code == 200
    for role in ("integration", "analyst"):
        refused = client.delete("/v1/customers/C-1/tokens", headers=auth[role])
        assert refused.status_code == 403
    assert client.delete("/v1/customers/C-1/tokens", headers=_bearer(phone)).status_code == 401
    assert client.get("/v1/me", headers=_bearer(phone)).status_code == 200  # nothing revoked yet

    revoked = client.delete("/v1/customers/C-1/tokens", headers=auth["staff"])
    assert revoked.status_code == 204, revoked.text
    for token in (phone, laptop):
        answer = client.get("/v1/me", headers=_bearer(token))
        assert answer.status_code == 401 and "revoked" in answer.json()["detail"]
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert client.get("/v1/me/export", headers=_bearer(token)).status_code == 401
    assert client.get("/v1/me", headers=_bearer(other)).status_code == 200  # another customer
    fresh = client.post("/v1/customers/C-1/token", headers=auth["admin"]).json()["token"]
    assert client.get("/v1/me", headers=_bearer(fresh)).status_code == 200  # issued afterwards

    missing = client.delete("/v1/customers/NOPE/tokens", headers=auth["admin"])
    assert missing.status_code == 404
    trail, _ = engine.audit_trail(customer_id="C-1")
    revocations = [e for e in trail if e.action == "customer_token.revoke"]
    assert [(e.actor_role, e.details) for e in revocations] == [("staff", {"scope": "all"})]


def test_a_token_without_an_issue_time_is_revoked_by_any_revocation(
    client: TestClient, engine: Engine, auth: dict[str, dict[str, str]]
) -> None:
    _shop(engine)
    secret = engine.settings.secret_key
    expires = int(datetime.now(UTC).timestamp()) + 600
    payload = {"sub": "C-1", "exp": expires, "jti": "0123456789abcdef"}  # before "iat" existed
    body = TOKEN_PREFIX + _b64(json.dumps(payload, separators=(",", ":")).encode())
    legacy = f"{body}.{_sign(secret, body)}"
    assert client.get("/v1/me", headers=_bearer(legacy)).status_code == 200
    assert client.delete("/v1/customers/C-1/tokens", headers=auth["admin"]).status_code == 204
    assert client.get("/v1/me", headers=_bearer(legacy)).status_code == 401


def test_the_customer_ends_their_own_session(
    client: TestClient, engine: Engine, auth: dict[str, dict[str, str]]
) -> None:
    _shop(engine)
    session, other_device = (engine.issue_customer_token(STAFF, "C-1").token for _ in range(2))
    assert client.delete("/v1/me/token", headers=auth["admin"]).status_code == 401  # no key here
    assert client.delete("/v1/me/token", headers=_bearer(session)).status_code == 204
    gone = client.get("/v1/me", headers=_bearer(session))
    assert gone.status_code == 401 and "revoked" in gone.json()["detail"]
    assert client.delete("/v1/me/token", headers=_bearer(session)).status_code == 401
    assert client.get("/v1/me", headers=_bearer(other_device)).status_code == 200
    trail, _ = engine.audit_trail(customer_id="C-1")
    assert [(e.actor_role, e.details) for e in trail if e.action == "customer_token.revoke"] == [
        ("customer", {"scope": "session"})
    ]


def test_erasure_revokes_the_tokens(
    client: TestClient, engine: Engine, auth: dict[str, dict[str, str]]
) -> None:
    _shop(engine)
    token = engine.issue_customer_token(STAFF, "C-1").token
    assert client.delete("/v1/customers/C-1", headers=auth["admin"]).status_code == 200
    answer = client.get("/v1/me", headers=_bearer(token))
    assert answer.status_code == 401 and "erased" in answer.json()["detail"]
    assert "C-1" not in answer.text
    # even if someone brought C-1 back, the old token stays revoked
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])
    assert client.get("/v1/me", headers=_bearer(token)).status_code == 401
