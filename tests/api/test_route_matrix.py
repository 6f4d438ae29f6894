"""Every route of the app × every caller: the four roles, no key, an unknown and a revoked key,
a customer token of the customer in the path, and a FOREIGN customer token (another customer's).

The routes are enumerated from ``app.routes``: a route added without a row in :data:`EXPECTED`
fails :func:`test_every_route_has_an_expectation`, so no endpoint ships without its access rules.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kunde.api import create_app
from kunde.catalog import ProductIn
from kunde.engine import Engine
from kunde.identity import CustomerProfile
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
            "anonymous_id": "a",
        }
    ]
}
PRODUCT = {"product_id": "P-2", "name": "Spaten", "price": 29.9}
PROFILE = {"given_name": "Jana", "language": "de"}
PAYMENT_METHOD = {"provider": "stripe", "token": "pm_1NvXkL2eZvKYlo2C0n8jBq3x"}
CONSENT = {"purpose": "email_marketing", "granted": True, "policy_version": "v1", "source": "web"}
IDENTIFY = {"customer_id": "C-1", "identifiers": [{"kind": "anonymous_id", "value": "anon-1"}]}

CALLERS = (
    "admin",
    "staff",
    "integration",
    "analyst",
    "no-key",
    "unknown-key",
    "revoked-key",
    "customer",
    "foreign",
)
_NOBODY = ("no-key", "unknown-key", "revoked-key")

#: one request per route: the path with C-1 (and its payment method {pm}) filled in, the body
REQUESTS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "POST /v1/orders": ("/v1/orders", ORDER),
    "POST /v1/events": ("/v1/events", EVENTS),
    "POST /v1/products": ("/v1/products", PRODUCT),
    "GET /v1/products/{product_id}": ("/v1/products/P-1", None),
    "GET /v1/customers/{customer_id}": ("/v1/customers/C-1", None),
    "PUT /v1/customers/{customer_id}": ("/v1/customers/C-1", PROFILE),
    "DELETE /v1/customers/{customer_id}": ("/v1/customers/C-1", None),
    "POST /v1/customers/{customer_id}/payment-methods": (
        "/v1/customers/C-1/payment-methods",
        PAYMENT_METHOD,
    ),
    "GET /v1/customers/{customer_id}/payment-methods": ("/v1/customers/C-1/payment-methods", None),
    "DELETE /v1/customers/{customer_id}/payment-methods/{payment_method_id}": (
        "/v1/customers/C-1/payment-methods/{pm}",
        None,
    ),
    "POST /v1/customers/{customer_id}/consents": ("/v1/customers/C-1/consents", CONSENT),
    "GET /v1/customers/{customer_id}/consents": ("/v1/customers/C-1/consents", None),
    "GET /v1/customers/{customer_id}/value": ("/v1/customers/C-1/value", None),
    "GET /v1/segments": ("/v1/segments", None),
    "GET /v1/audit": ("/v1/audit", None),
    "POST /v1/customers/{customer_id}/token": ("/v1/customers/C-1/token", None),
    "DELETE /v1/customers/{customer_id}/tokens": ("/v1/customers/C-1/tokens", None),
    "DELETE /v1/me/token": ("/v1/me/token", None),
    "GET /v1/customers/{customer_id}/export": ("/v1/customers/C-1/export", None),
    "GET /v1/me": ("/v1/me", None),
    "PUT /v1/me": ("/v1/me", {"language": "en"}),
    "POST /v1/me/consents": ("/v1/me/consents", CONSENT),
    "DELETE /v1/me/payment-methods/{payment_method_id}": ("/v1/me/payment-methods/{pm}", None),
    "GET /v1/me/export": ("/v1/me/export", None),
    "POST /v1/identify": ("/v1/identify", IDENTIFY),
    "POST /v1/merges/{merge_id}/undo": ("/v1/merges/1/undo", None),
    "GET /v1/customers/{customer_id}/timeline": ("/v1/customers/C-1/timeline", None),
    "GET /v1/products/{product_id}/also-bought": ("/v1/products/P-1/also-bought", None),
    "GET /v1/products/{product_id}/complements": ("/v1/products/P-1/complements", None),
    "GET /v1/customers/{customer_id}/recommendations": (
        "/v1/customers/C-1/recommendations",
        None,
    ),
    "GET /v1/customers/{customer_id}/personalization": (
        "/v1/customers/C-1/personalization",
        None,
    ),
    "DELETE /v1/customers/{customer_id}/personalization/interests/{category:path}": (
        "/v1/customers/C-1/personalization/interests/Garten",
        None,
    ),
    "POST /v1/customers/{customer_id}/personalization/reset": (
        "/v1/customers/C-1/personalization/reset",
        None,
    ),
    "GET /v1/editorial": ("/v1/editorial", None),
    "PUT /v1/editorial": ("/v1/editorial", {"product_ids": ["P-1"]}),
    "GET /healthz": ("/healthz", None),
    "GET /metrics": ("/metrics", None),
    "GET /openapi.json": ("/openapi.json", None),
    "GET /docs": ("/docs", None),
    "GET /docs/oauth2-redirect": ("/docs/oauth2-redirect", None),
    "GET /redoc": ("/redoc", None),
}


def _roles(admin: int, staff: int, integration: int, analyst: int) -> dict[str, int]:
    # a customer token (own or foreign) never works on a key-protected route
    return {
        "admin": admin,
        "staff": staff,
        "integration": integration,
        "analyst": analyst,
        **dict.fromkeys(_NOBODY, 401),
        "customer": 401,
        "foreign": 401,
    }


def _me(own: int, foreign: int) -> dict[str, int]:
    keys = dict.fromkeys(("admin", "staff", "integration", "analyst", *_NOBODY), 401)
    return {**keys, "customer": own, "foreign": foreign}


_OPEN = dict.fromkeys(CALLERS, 200)
_PERSONAL = _roles(200, 200, 403, 403)

EXPECTED: dict[str, dict[str, int]] = {
    "POST /v1/orders": _roles(201, 403, 201, 403),
    "POST /v1/events": _roles(201, 403, 201, 403),
    "POST /v1/products": _roles(201, 403, 201, 403),
    "GET /v1/products/{product_id}": _roles(200, 200, 200, 200),
    "GET /v1/customers/{customer_id}": _PERSONAL,
    "PUT /v1/customers/{customer_id}": _PERSONAL,
    "DELETE /v1/customers/{customer_id}": _roles(200, 403, 403, 403),
    "POST /v1/customers/{customer_id}/payment-methods": _roles(201, 201, 403, 403),
    "GET /v1/customers/{customer_id}/payment-methods": _PERSONAL,
    "DELETE /v1/customers/{customer_id}/payment-methods/{payment_method_id}": _roles(
        204, 204, 403, 403
    ),
    "POST /v1/customers/{customer_id}/consents": _roles(201, 201, 201, 403),
    "GET /v1/customers/{customer_id}/consents": _PERSONAL,
    "GET /v1/customers/{customer_id}/value": _roles(409, 409, 403, 403),  # 409: not fitted
    "GET /v1/segments": _roles(409, 409, 403, 409),
    "GET /v1/audit": _roles(200, 403, 403, 403),
    "POST /v1/customers/{customer_id}/token": _roles(201, 201, 403, 403),
    "DELETE /v1/customers/{customer_id}/tokens": _roles(204, 204, 403, 403),
    # each caller ends their own session (the foreign customer ends C-2's, not C-1's)
    "DELETE /v1/me/token": _me(204, 204),
    "GET /v1/customers/{customer_id}/export": _PERSONAL,
    "GET /v1/me": _me(200, 200),
    "PUT /v1/me": _me(200, 200),
    "POST /v1/me/consents": _me(201, 201),
    # the foreign customer cannot touch C-1's payment method: it is not theirs
    "DELETE /v1/me/payment-methods/{payment_method_id}": _me(204, 404),
    "GET /v1/me/export": _me(200, 200),
    "POST /v1/identify": _roles(200, 200, 200, 403),
    "POST /v1/merges/{merge_id}/undo": _roles(404, 404, 403, 403),  # 404: no such merge
    "GET /v1/customers/{customer_id}/timeline": _PERSONAL,
    # 409: the recommendation models were never trained in this shop
    "GET /v1/products/{product_id}/also-bought": _roles(409, 409, 409, 409),
    "GET /v1/products/{product_id}/complements": _roles(409, 409, 409, 409),
    "GET /v1/customers/{customer_id}/recommendations": _roles(409, 409, 409, 403),
    "GET /v1/customers/{customer_id}/personalization": _roles(409, 409, 403, 403),
    "DELETE /v1/customers/{customer_id}/personalization/interests/{category:path}": _roles(
        409, 409, 403, 403
    ),
    "POST /v1/customers/{customer_id}/personalization/reset": _roles(204, 204, 403, 403),
    "GET /v1/editorial": _roles(200, 200, 403, 403),
    "PUT /v1/editorial": _roles(200, 200, 403, 403),
    "GET /healthz": _OPEN,
    "GET /metrics": _OPEN,
    "GET /openapi.json": _OPEN,
    "GET /docs": _OPEN,
    "GET /docs/oauth2-redirect": _OPEN,
    "GET /redoc": _OPEN,
}


def app_routes(app: FastAPI) -> set[str]:
    """``"METHOD /path"`` of every route the app serves (included routers flattened)."""
    found: set[str] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for item in contexts() if contexts is not None else [route]:
            for method in getattr(item, "methods", None) or ():
                if method != "HEAD":
                    found.add(f"{method} {item.path}")
    return found


def test_every_route_has_an_expectation() -> None:
    routes = app_routes(create_app())
    assert routes - set(EXPECTED) == set(), "add the new routes to EXPECTED and REQUESTS"
    assert set(EXPECTED) - routes == set(), "remove routes that no longer exist"
    assert set(REQUESTS) == set(EXPECTED)


@pytest.fixture
def callers(engine: Engine, auth: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Headers of each caller, on a shop that knows C-1 (with a payment method), C-2, P-1."""
    engine.upsert_customers(
        [
            CustomerProfile(customer_id="C-1", given_name="Jana"),
            CustomerProfile(customer_id="C-2", given_name="Tom"),
        ]
    )
    engine.upsert_products([ProductIn(product_id="P-1", name="Gießkanne", price=12.0)])
    staff = Actor(key_id=None, role="staff")
    own = engine.issue_customer_token(staff, "C-1").token
    foreign = engine.issue_customer_token(staff, "C-2").token
    revoked = engine.create_key("admin")
    engine.revoke_key(engine.authenticate(revoked).key_id)
    return {
        **auth,
        "no-key": {},
        "unknown-key": {"Authorization": "Bearer kunde_thisKeyWasNeverIssuedByThisServer000"},
        "revoked-key": {"Authorization": f"Bearer {revoked}"},
        "customer": {"Authorization": f"Bearer {own}"},
        "foreign": {"Authorization": f"Bearer {foreign}"},
    }


@pytest.fixture
def saved_method(engine: Engine, callers: dict[str, dict[str, str]]) -> str:
    method = PaymentMethodIn(provider="adyen", token="ref_matrix")
    saved, _ = engine.add_payment_method(Actor(key_id=None, role="admin"), "C-1", method)
    return saved.payment_method_id


@pytest.mark.parametrize(
    ("route", "caller"),
    [pytest.param(r, c, id=f"{r}-{c}") for r in EXPECTED for c in CALLERS],
)
def test_route_matrix(
    client: TestClient,
    callers: dict[str, dict[str, str]],
    saved_method: str,
    route: str,
    caller: str,
) -> None:
    method = route.split(" ", 1)[0]
    path, body = REQUESTS[route]
    response = client.request(
        method, path.format(pm=saved_method), json=body, headers=callers[caller]
    )
    expected = EXPECTED[route][caller]
    assert response.status_code == expected, response.text
    if expected == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"
    if expected >= 400:
        assert isinstance(response.json()["detail"], str)
    if route.startswith("GET /v1/me") and expected == 200:
        owner = "C-1" if caller == "customer" else "C-2"
        if route == "GET /v1/me":
            assert response.json()["customer_id"] == owner
        else:
            profile = zipfile.ZipFile(io.BytesIO(response.content)).read("profile.json")
            assert f'"customer_id": "{owner}"'.encode() in profile
