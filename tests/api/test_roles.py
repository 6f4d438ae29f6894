"""Malformed credentials and the wording of refusals (the endpoint × caller matrix over every
route is in test_route_matrix.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


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
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    response = client.get("/v1/customers/C-1", headers=auth["integration"])
    assert response.json() == {"detail": "The role 'integration' may not read personal data."}
