"""``POST /v1/events``: a batch, idempotent by event_id."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _event(event_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "occurred_at": "2026-11-02T09:58:00",
        "type": "view",
        "anonymous_id": "anon-1",
        "touchpoint": "web",
        "product_id": "P-1",
        **fields,
    }


def test_events_are_stored_once(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    events = {"events": [_event("E-1"), _event("E-2", properties={"query": "Spaten", "page": 2})]}
    first = client.post("/v1/events", json=events, headers=auth["integration"])
    assert first.status_code == 201
    assert first.json() == {"stored": 2, "duplicates": 0}
    again = client.post("/v1/events", json=events, headers=auth["integration"])
    assert again.status_code == 200
    assert again.json() == {"stored": 0, "duplicates": 2}


def test_new_and_known_events_in_one_batch(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    client.post("/v1/events", json={"events": [_event("E-1")]}, headers=auth["admin"])
    batch = {"events": [_event("E-1"), _event("E-3", customer_id="C-1", type="login")]}
    response = client.post("/v1/events", json=batch, headers=auth["admin"])
    assert response.status_code == 201
    assert response.json() == {"stored": 1, "duplicates": 1}


def test_an_event_needs_someone(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    event = _event("E-1")
    del event["anonymous_id"]
    response = client.post("/v1/events", json={"events": [event]}, headers=auth["integration"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "events", 0]


def test_a_single_event_object_without_the_envelope_is_422(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    response = client.post("/v1/events", json=_event("E-1"), headers=auth["integration"])
    assert response.status_code == 422


def test_text_that_looks_like_an_escape_is_kept(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    # A literal backslash followed by "u0000" is harmless text, not a NUL character.
    event = _event("E-1", properties={"query": "C:\\u0000 pfad"})
    response = client.post("/v1/events", json={"events": [event]}, headers=auth["integration"])
    assert response.status_code == 201


def test_a_large_batch_is_parsed_off_the_event_loop(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    events = [_event(f"E-{i}", properties={"note": "x" * 100}) for i in range(600)]
    response = client.post("/v1/events", json={"events": events}, headers=auth["integration"])
    assert response.status_code == 201
    assert response.json() == {"stored": 600, "duplicates": 0}
    events[599]["occurred_at"] = "not a time"
    invalid = client.post(
        "/v1/events", json={"events": [*events, _event("E-x")]}, headers=auth["integration"]
    )
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "events", 599, "occurred_at"]
