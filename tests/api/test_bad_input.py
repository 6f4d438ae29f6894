"""Bad input never produces a 500: every malformed body is a 422 (or 413) with a location."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kunde.api import create_app
from kunde.config import Settings
from kunde.engine import Engine

ORDER = (
    '{"order_id": "O-1", "customer_id": "C-1", "ordered_at": "2026-11-02T10:00:00", "lines": [%s]}'
)
LINE = '{"product_id": "P-1", "quantity": 1, "unit_price": 9.5}'


def _order_with_line(**fields: str) -> bytes:
    """An order whose single line has ``fields`` as raw JSON values."""
    items = {"product_id": '"P-1"', "quantity": "1", "unit_price": "9.5", **fields}
    line = "{" + ", ".join(f'"{k}": {v}' for k, v in items.items()) + "}"
    return (ORDER % line).encode()


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


BAD_BODIES = {
    "malformed-json": (b'{"order_id": "O-1", ', ["body"], "json_invalid"),
    "trailing-garbage": ((ORDER % LINE).encode() + b" }", ["body"], "json_invalid"),
    "empty": (b"", ["body"], "missing"),
    "whitespace": (b"  \n ", ["body"], "missing"),
    "not-utf8": (b'{"order_id": "\xff\xfe"}', ["body"], "utf8_invalid"),
    "latin1": ('{"order_id": "Bücher"}'.encode("latin-1"), ["body"], "utf8_invalid"),
    "nan": (_order_with_line(unit_price="NaN"), ["body"], "json_invalid"),
    "infinity": (_order_with_line(unit_price="-Infinity"), ["body"], "json_invalid"),
    "overflowing-float": (_order_with_line(unit_price="1e999"), ["body"], "json_invalid"),
    "huge-int": (_order_with_line(quantity="9" * 30), ["body", "lines", 0, "quantity"], None),
    "int-5000-digits": (_order_with_line(quantity="9" * 5000), ["body"], "json_invalid"),
    "price-out-of-range": (
        _order_with_line(unit_price="1e300"),
        ["body", "lines", 0, "unit_price"],
        None,
    ),
    "quantity-as-text": (
        _order_with_line(quantity='"two"'),
        ["body", "lines", 0, "quantity"],
        None,
    ),
    "quantity-fraction": (_order_with_line(quantity="1.5"), ["body", "lines", 0, "quantity"], None),
    "gift-as-object": (_order_with_line(is_gift="{}"), ["body", "lines", 0, "is_gift"], None),
    "order-id-number": (
        b'{"order_id": 17, "ordered_at": "2026-11-02", "lines": [{}]}',
        ["body", "order_id"],
        None,
    ),
    "bad-date": (
        b'{"order_id": "O-1", "ordered_at": "yesterday", "lines": [{}]}',
        ["body", "ordered_at"],
        None,
    ),
    "no-lines": (
        b'{"order_id": "O-1", "ordered_at": "2026-11-02", "lines": []}',
        ["body", "lines"],
        None,
    ),
    "unknown-field": (_order_with_line(colour='"red"'), ["body", "lines", 0, "colour"], None),
    "top-level-array": (b"[1, 2, 3]", ["body"], None),
    "top-level-null": (b"null", ["body"], None),
    "top-level-string": (b'"order"', ["body"], None),
    "orders-not-a-list": (b'{"orders": {"order_id": "O-1"}}', ["body", "orders"], None),
    "empty-batch": (b'{"orders": []}', ["body", "orders"], None),
    "nul-character": (
        _order_with_line(product_id='"P\\u0000"'),
        ["body", "lines", 0, "product_id"],
        "string_invalid",
    ),
    "lone-surrogate": (
        _order_with_line(product_id='"P\\ud83d"'),
        ["body", "lines", 0, "product_id"],
        "string_invalid",
    ),
    "deep-nesting": (_deep(50), ["body"] + [0] * 32, "too_deep"),
    "absurd-nesting": (_deep(100_000), ["body"], "too_deep"),
    "long-id": (
        ('{"order_id": "%s", "ordered_at": "2026-11-02", "lines": [{}]}' % ("x" * 65)).encode(),
        ["body", "order_id"],
        None,
    ),
}


@pytest.mark.parametrize(("body", "loc", "type_"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_order_bodies_are_422_with_a_location(
    client: TestClient,
    auth: dict[str, dict[str, str]],
    body: bytes,
    loc: list[str | int],
    type_: str | None,
) -> None:
    headers = {**auth["integration"], "Content-Type": "application/json"}
    response = client.post("/v1/orders", content=body, headers=headers)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    for problem in detail:
        assert set(problem) == {"loc", "msg", "type"}  # the input is not echoed back
        assert problem["msg"]
    assert loc in [problem["loc"] for problem in detail]
    if type_ is not None:
        assert type_ in [problem["type"] for problem in detail]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
    ],
)
def test_wrong_content_type_is_422(
    client: TestClient, auth: dict[str, dict[str, str]], content_type: str
) -> None:
    response = client.post(
        "/v1/orders",
        content=(ORDER % LINE).encode(),
        headers={**auth["integration"], "Content-Type": content_type},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "content-type"]


@pytest.mark.parametrize("path", ["/v1/events", "/v1/products"])
@pytest.mark.parametrize(
    "body",
    [b"{", b"", b"\xff", b"[]", b'{"events": [{"event_id": "e\\u0000"}]}', _deep(40)],
    ids=["malformed", "empty", "not-utf8", "array", "nul", "deep"],
)
def test_bad_bodies_on_other_writes_are_422(
    client: TestClient, auth: dict[str, dict[str, str]], path: str, body: bytes
) -> None:
    response = client.post(
        path, content=body, headers={**auth["admin"], "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text


def test_nan_inside_event_properties_is_refused(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    body = (
        b'{"events": [{"event_id": "e1", "occurred_at": "2026-11-02T10:00:00", "type": "view", '
        b'"anonymous_id": "a1", "properties": {"score": NaN}}]}'
    )
    response = client.post("/v1/events", content=body, headers=auth["integration"])
    assert response.status_code == 422


def test_properties_nested_too_deeply_are_refused(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    nested: object = "leaf"
    for _ in range(40):
        nested = {"k": nested}
    event = {
        "event_id": "e1",
        "occurred_at": "2026-11-02T10:00:00",
        "type": "view",
        "anonymous_id": "a1",
        "properties": nested,
    }
    response = client.post("/v1/events", json={"events": [event]}, headers=auth["integration"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "too_deep"


def test_missing_key_is_checked_before_the_body_is_parsed(client: TestClient) -> None:
    response = client.post(
        "/v1/orders", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401


def test_role_is_checked_before_the_body_is_parsed(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    response = client.post("/v1/orders", content=b"{not json", headers=auth["analyst"])
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        ("/v1/customers/a%00b", ["path", "customer_id"]),
        ("/v1/customers/" + "x" * 65, ["path", "customer_id"]),
        ("/v1/products/p%00", ["path", "product_id"]),
        ("/v1/products/" + "x" * 65, ["path", "product_id"]),
    ],
    ids=["customer-nul", "customer-long", "product-nul", "product-long"],
)
def test_bad_ids_in_the_path_are_422(
    client: TestClient, auth: dict[str, dict[str, str]], path: str, loc: list[str]
) -> None:
    response = client.get(path, headers=auth["admin"])
    assert response.status_code == 422
    assert loc in [problem["loc"] for problem in response.json()["detail"]]


# --- limits ------------------------------------------------------------------------------


@pytest.fixture
def small_client(tmp_path: Path, sqlite_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """An app that accepts at most 3 items per batch and 2,000 bytes per body."""
    settings = Settings(
        database_url=sqlite_url,
        data_dir=tmp_path,
        environment="test",
        max_batch_items=3,
        max_body_bytes=2_000,
    )
    engine = Engine(settings)
    headers = {"Authorization": f"Bearer {engine.create_key('integration')}"}
    with TestClient(create_app(engine)) as client:
        yield client, headers
    engine.close()


def _events(n: int) -> dict[str, object]:
    return {
        "events": [
            {
                "event_id": f"e{i}",
                "occurred_at": "2026-11-02T10:00:00",
                "type": "view",
                "anonymous_id": "a",
            }
            for i in range(n)
        ]
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/events", _events(4)),
        ("/v1/orders", {"orders": [{"order_id": str(i)} for i in range(4)]}),
        ("/v1/products", {"products": [{"product_id": str(i)} for i in range(4)]}),
    ],
    ids=["events", "orders", "products"],
)
def test_batches_over_the_limit_are_422(
    small_client: tuple[TestClient, dict[str, str]], path: str, body: dict[str, object]
) -> None:
    client, headers = small_client
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", path.rsplit("/", 1)[1]]
    assert "at most 3" in problem["msg"]


def test_body_over_the_limit_is_413_by_content_length(
    small_client: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = small_client
    body = json.dumps(_events(3)).encode() + b" " * 2_000
    response = client.post("/v1/events", content=body, headers=headers)
    assert response.status_code == 413
    assert "2000 bytes" in response.json()["detail"]


def test_chunked_body_over_the_limit_is_413(
    small_client: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = small_client

    def chunks() -> Iterator[bytes]:
        yield b'{"events": ['
        for _ in range(100):
            yield b" " * 100

    response = client.post("/v1/events", content=chunks(), headers=headers)
    assert response.status_code == 413


def test_chunked_body_within_the_limit_is_read(
    small_client: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = small_client
    body = json.dumps({"events": []}).encode()

    def chunks() -> Iterator[bytes]:
        yield body[:5]
        yield body[5:]

    response = client.post("/v1/events", content=chunks(), headers=headers)
    assert response.status_code == 422  # parsed: the batch is empty
    assert response.json()["detail"][0]["loc"] == ["body", "events"]


# --- genuine bugs --------------------------------------------------------------------------


class _BrokenEngine(Engine):
    """A real engine whose product read has a bug (stands in for any unforeseen failure)."""

    def get_product(self, product_id: str) -> dict[str, object]:
        raise RuntimeError(f"bug while reading {product_id}: secret internals")


def test_a_genuine_bug_is_a_generic_500_and_logged(
    sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = _BrokenEngine(Settings(database_url=sqlite_url, data_dir=tmp_path, environment="test"))
    key = engine.create_key("admin")
    with (
        TestClient(create_app(engine), raise_server_exceptions=False) as client,
        caplog.at_level(logging.ERROR, logger="kunde.api"),
    ):
        response = client.get("/v1/products/P-1", headers={"Authorization": f"Bearer {key}"})
    engine.close()
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    assert "secret" not in response.text
    assert any("secret internals" in str(r.exc_info) for r in caplog.records)


@pytest.mark.parametrize("stamp", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-12:00"])
@pytest.mark.parametrize("path", ["/v1/orders", "/v1/events"])
def test_timestamps_beyond_the_calendar_in_utc_are_422(
    client: TestClient, auth: dict[str, dict[str, str]], path: str, stamp: str
) -> None:
    if path == "/v1/orders":
        body: dict[str, object] = {
            "order_id": "O-1",
            "ordered_at": stamp,
            "lines": [{"product_id": "P-1", "unit_price": 1.0}],
        }
    else:
        body = {
            "events": [
                {"event_id": "E-1", "occurred_at": stamp, "type": "view", "anonymous_id": "a"}
            ]
        }
    response = client.post(path, json=body, headers=auth["integration"])
    assert response.status_code == 422
