"""``/healthz``, ``/metrics`` and the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kunde.api import create_app
from kunde.config import Settings
from kunde.engine import Engine


def test_healthz_needs_no_key_and_reports_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "schema_current": True}


@pytest.fixture
def down_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client of an app whose database is down."""
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    settings = Settings(
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/kunde",
        data_dir=tmp_path,
        environment="test",
    )
    engine = Engine(settings)
    try:
        with TestClient(create_app(engine)) as client:
            yield client
    finally:
        engine.close()


def test_healthz_is_503_when_the_database_is_down(down_client: TestClient) -> None:
    response = down_client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": False, "schema_current": False}


def test_healthz_is_503_when_the_schema_is_not_migrated(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'empty.db'}", data_dir=tmp_path, environment="test"
    )
    engine = Engine(settings)  # no init(): no tables yet
    try:
        with TestClient(create_app(engine)) as client:
            response = client.get("/healthz")
    finally:
        engine.close()
    assert response.status_code == 503
    assert response.json()["status"] == "outdated"


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format."""
    for line in text.splitlines():
        match = re.fullmatch(re.escape(name) + r"\{(.*)\} (\S+)", line)
        if match and dict(re.findall(r'(\w+)="([^"]*)"', match[1])) == labels:
            return float(match[2])
    raise AssertionError(f"no sample {name}{labels}")


def test_metrics_count_requests_per_route_template_and_status(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    client.get("/v1/customers/C-1")
    client.get("/v1/customers/C-2")
    client.get("/v1/customers/C-3", headers=auth["analyst"])
    client.get("/no/such/path/123")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    route = "/v1/customers/{customer_id}"
    assert _sample(text, "kunde_http_requests_total", method="GET", route=route, status="401") == 2
    assert _sample(text, "kunde_http_requests_total", method="GET", route=route, status="403") == 1
    assert (
        _sample(text, "kunde_http_requests_total", method="GET", route="<unmatched>", status="404")
        == 1
    )
    assert (
        _sample(
            text,
            "kunde_http_request_duration_seconds_count",
            method="GET",
            route=route,
            status="401",
        )
        == 2
    )
    assert "C-1" not in text  # ids never become labels


def test_apps_have_separate_metrics(engine: Engine) -> None:
    with TestClient(create_app(engine)) as first, TestClient(create_app(engine)) as second:
        first.get("/healthz")
        text = second.get("/metrics").text
    assert 'route="/healthz"' not in text


def test_openapi_documents_every_endpoint_and_the_bodies(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    assert {
        "/v1/orders",
        "/v1/events",
        "/v1/products",
        "/v1/customers/{customer_id}",
        "/v1/products/{product_id}",
        "/healthz",
        "/metrics",
    } <= set(paths)
    body = paths["/v1/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {
        "oneOf": [
            {"$ref": "#/components/schemas/OrderIn"},
            {"$ref": "#/components/schemas/OrdersBatch"},
        ]
    }
    schemas = document["components"]["schemas"]
    assert {"OrderIn", "LineIn", "OrdersBatch", "EventsBatch", "EventIn", "ProductIn"} <= set(
        schemas
    )
    assert "ApiKey" in document["components"]["securitySchemes"]
    assert set(paths["/v1/customers/{customer_id}"]["get"]["responses"]) >= {
        "200",
        "401",
        "403",
        "404",
        "422",
    }
    assert client.get("/docs").status_code == 200


def test_every_ref_in_the_openapi_document_resolves(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    refs = set(
        re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(document).replace("'", '"'))
    )
    assert refs <= set(document["components"]["schemas"])


def test_api_calls_are_503_when_the_database_is_down(down_client: TestClient) -> None:
    response = down_client.get(
        "/v1/products/P-1", headers={"Authorization": "Bearer kunde_" + "a" * 43}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "try again" in response.json()["detail"]
