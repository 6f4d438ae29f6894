"""Every endpoint × every role, plus no key, an unknown key and a revoked key."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kunde.catalog import ProductIn
from kunde.engine import Engine
from kunde.identity import CustomerProfile, IdentifierIn, IdentifierKind, IdentifyIn
from kunde.privacy import Actor, PaymentMethodIn

ORDER = {
    "order_id": "O-1",
    "customer_id": "C-1",
    "ordered_at": "2026-11-02T10:00:00",
    "lines": [{"product_id": "P-1", "quantity": 2, "unit_price": 4.5}],
}
EVENTS = {
    "events": [
        {
            "event_id": "E-1",
            "occurred_at": "2026-11-02T09:58:00",
            "type": "view",
            "anonymous_id": "anon-1",
            "product_id": "P-1",
        }
    ]
}
PRODUCT = {"product_id": "P-2", "name": "Spaten", "category": "Garten > Werkzeug", "price": 29.9}
PROFILE = {"given_name": "Jana", "language": "de", "channels": {"email": {"preferred": True}}}
PAYMENT_METHOD = {"provider": "stripe", "token": "pm_1NvXkL2eZvKYlo2C0n8jBq3x", "last4": "4242"}
CONSENT = {"purpose": "email_marketing", "granted": True, "policy_version": "v1", "source": "web"}
IDENTIFY = {"customer_id": "C-1", "identifiers": [{"kind": "anonymous_id", "value": "anon-1"}]}

ENDPOINTS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "post-orders": ("POST", "/v1/orders", ORDER),
    "post-events": ("POST", "/v1/events", EVENTS),
    "post-products": ("POST", "/v1/products", PRODUCT),
    "get-customer": ("GET", "/v1/customers/C-1", None),
    "get-product": ("GET", "/v1/products/P-1", None),
    "put-customer": ("PUT", "/v1/customers/C-1", PROFILE),
    "post-payment-method": ("POST", "/v1/customers/C-1/payment-methods", PAYMENT_METHOD),
    "get-payment-methods": ("GET", "/v1/customers/C-1/payment-methods", None),
    "delete-payment-method": ("DELETE", "/v1/customers/C-1/payment-methods/{pm}", None),
    "post-consents": ("POST", "/v1/customers/C-1/consents", CONSENT),
    "get-consents": ("GET", "/v1/customers/C-1/consents", None),
    "get-audit": ("GET", "/v1/audit", None),
    "post-identify": ("POST", "/v1/identify", IDENTIFY),
    "post-undo-merge": ("POST", "/v1/merges/{merge}/undo", None),
    "get-timeline": ("GET", "/v1/customers/C-1/timeline", None),
    "healthz": ("GET", "/healthz", None),
    "metrics": ("GET", "/metrics", None),
}

CALLERS = ("admin", "staff", "integration", "analyst", "no-key", "unknown-key", "revoked-key")

_W = {"admin": 201, "staff": 403, "integration": 201, "analyst": 403}  # writes
_PERSONAL = {"admin": 200, "staff": 200, "integration": 403, "analyst": 403}
_CATALOG = {"admin": 200, "staff": 200, "integration": 200, "analyst": 200}
_PERSONAL_WRITE = {"admin": 201, "staff": 201, "integration": 403, "analyst": 403}
_PERSONAL_DELETE = {"admin": 204, "staff": 204, "integration": 403, "analyst": 403}
_CONSENT_WRITE = {"admin": 201, "staff": 201, "integration": 201, "analyst": 403}
_LINK = {"admin": 200, "staff": 200, "integration": 200, "analyst": 403}
_ADMIN_ONLY = {"admin": 200, "staff": 403, "integration": 403, "analyst": 403}
_OPEN = dict.fromkeys(CALLERS, 200)
_NO_AUTH = {"no-key": 401, "unknown-key": 401, "revoked-key": 401}

EXPECTED: dict[str, dict[str, int]] = {
    "post-orders": {**_W, **_NO_AUTH},
    "post-events": {**_W, **_NO_AUTH},
    "post-products": {**_W, **_NO_AUTH},
    "get-customer": {**_PERSONAL, **_NO_AUTH},
    "get-product": {**_CATALOG, **_NO_AUTH},
    "put-customer": {**_PERSONAL, **_NO_AUTH},  # 200: C-1 exists, the profile is replaced
    "post-payment-method": {**_PERSONAL_WRITE, **_NO_AUTH},
    "get-payment-methods": {**_PERSONAL, **_NO_AUTH},
    "delete-payment-method": {**_PERSONAL_DELETE, **_NO_AUTH},
    "post-consents": {**_CONSENT_WRITE, **_NO_AUTH},
    "get-consents": {**_PERSONAL, **_NO_AUTH},
    "get-audit": {**_ADMIN_ONLY, **_NO_AUTH},
    "post-identify": {**_LINK, **_NO_AUTH},
    "post-undo-merge": {**_PERSONAL, **_NO_AUTH},
    "get-timeline": {**_PERSONAL, **_NO_AUTH},
    "healthz": _OPEN,
    "metrics": _OPEN,
}

CASES = [
    pytest.param(endpoint, caller, EXPECTED[endpoint][caller], id=f"{endpoint}-{caller}")
    for endpoint in ENDPOINTS
    for caller in CALLERS
]


@pytest.fixture
def headers(engine: Engine, auth: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Request headers of each caller, on a shop that knows customer C-1 and product P-1."""
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])
    engine.upsert_products([ProductIn(product_id="P-1", name="Gießkanne", price=12.0)])
    revoked = engine.create_key("admin")
    engine.revoke_key(engine.authenticate(revoked).key_id)
    return {
        **auth,
        "no-key": {},
        "unknown-key": {"Authorization": "Bearer kunde_thisKeyWasNeverIssuedByThisServer000"},
        "revoked-key": {"Authorization": f"Bearer {revoked}"},
    }


@pytest.fixture
def saved_method(engine: Engine, headers: dict[str, dict[str, str]]) -> str:
    """The id of a payment method saved for C-1 (the target of the DELETE)."""
    method = PaymentMethodIn(provider="adyen", token="ref_matrix")
    saved, _ = engine.add_payment_method(Actor(key_id=None, role="admin"), "C-1", method)
    return saved.payment_method_id


@pytest.fixture
def merge_id(engine: Engine, headers: dict[str, dict[str, str]]) -> int:
    """The id of a merge of C-2 into C-1 (the target of the undo)."""
    email = IdentifierIn(kind=IdentifierKind.EMAIL, value="jana@example.de")
    actor = Actor(key_id=None, role="admin")
    engine.identify(actor, IdentifyIn(customer_id="C-2", identifiers=[email]))
    merged = engine.identify(actor, IdentifyIn(customer_id="C-1", identifiers=[email]))["merged"]
    return int(merged[0]["merge_id"])


@pytest.mark.parametrize(("endpoint", "caller", "status"), CASES)
def test_role_matrix(
    client: TestClient,
    headers: dict[str, dict[str, str]],
    saved_method: str,
    merge_id: int,
    endpoint: str,
    caller: str,
    status: int,
) -> None:
    method, path, body = ENDPOINTS[endpoint]
    path = path.format(pm=saved_method, merge=merge_id)
    response = client.request(method, path, json=body, headers=headers[caller])
    assert response.status_code == status, response.text
    if status == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"
    if status >= 400:
        assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "kunde_abc", "Bearer kunde_" + "x" * 10_000],
    ids=["empty", "scheme-only", "scheme-space", "basic", "no-scheme", "huge"],
)
def test_malformed_authorization_headers_are_401(client: TestClient, authorization: str) -> None:
    response = client.get("/v1/products/P-1", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_forbidden_read_says_which_role_and_what(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    response = client.get("/v1/customers/C-1", headers=headers["integration"])
    assert response.json() == {"detail": "The role 'integration' may not read personal data."}
