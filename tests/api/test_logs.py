"""The access log never carries customer ids or query strings."""

from __future__ import annotations

import logging

import pytest

from kunde.api.logs import RedactPaths, redact_path


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/v1/customers/C-1", "/v1/customers/{customer_id}"),
        ("/v1/customers/a%40b.de/consents", "/v1/customers/{customer_id}/consents"),
        ("/v1/audit?customer_id=C-1", "/v1/audit"),
        ("/v1/products/P-1", "/v1/products/P-1"),
    ],
)
def test_paths_are_redacted(path: str, logged: str) -> None:
    assert redact_path(path) == logged
    record = logging.LogRecord("uvicorn.access", 20, "", 0, "%s %s %s", ("ip", "GET", path), None)
    assert RedactPaths().filter(record)
    assert record.getMessage() == f"ip GET {logged}"
