"""Schemathesis against kunde's own OpenAPI document, in-process (ASGI): no input is a 500.

Bounded (a few examples per operation, derandomized) so that the run stays well under a minute.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from kunde.api import create_app
from kunde.engine import Engine
from kunde.identity import CustomerProfile
from kunde.privacy import Actor

schema = schemathesis.openapi.from_dict(create_app().openapi())


@pytest.fixture
def api(engine: Engine) -> dict[str, Any]:
    """The app, an admin key and a customer token (for /v1/me) on a shop that knows C-1."""
    engine.upsert_customers([CustomerProfile(customer_id="C-1", given_name="Jana")])
    token = engine.issue_customer_token(Actor(key_id=None, role="staff"), "C-1").token
    return {
        "app": create_app(engine),
        "key": {"Authorization": f"Bearer {engine.create_key('admin')}"},
        "token": {"Authorization": f"Bearer {token}"},
    }


@schema.parametrize()
@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_a_server_error(case: schemathesis.Case, api: dict[str, Any]) -> None:
    headers = api["token"] if case.path.startswith("/v1/me") else api["key"]
    # a generous timeout: this checks for server errors, not speed (the CI machine may be busy)
    response = case.call(app=api["app"], headers=headers, timeout=120)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
