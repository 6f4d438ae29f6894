"""Fixtures for the HTTP API: an app on the test engine, a client, one key per role."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from kunde.api import create_app
from kunde.engine import Engine

with warnings.catch_warnings():
    # starlette prefers the httpx2 package; httpx works the same for these tests.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

ROLES = ("admin", "staff", "integration", "analyst")


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """A client of ``create_app(engine)``; server-side exceptions fail the test."""
    with TestClient(create_app(engine)) as client:
        yield client


@pytest.fixture
def keys(engine: Engine) -> dict[str, str]:
    """One fresh API key per role."""
    return {role: engine.create_key(role, f"test {role}") for role in ROLES}


@pytest.fixture
def auth(keys: dict[str, str]) -> dict[str, dict[str, str]]:
    """The Authorization header of each role's key."""
    return {role: {"Authorization": f"Bearer {key}"} for role, key in keys.items()}
