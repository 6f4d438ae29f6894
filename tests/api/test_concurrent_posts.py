"""Concurrent identical posts over HTTP, and constraint violations answered as 409."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import insert

from kunde.api import create_app
from kunde.engine import Engine
from kunde.store.tables import products

THREADS = 8


def test_same_events_posted_at_once_are_stored_once(any_engine: Engine) -> None:
    key = any_engine.create_key("integration", "concurrent test")
    body = {
        "events": [
            {
                "event_id": f"e{i}",
                "occurred_at": "2026-11-01T10:00:00Z",
                "type": "page_view",
                "customer_id": f"c{i % 3}",
            }
            for i in range(30)
        ]
    }
    barrier = threading.Barrier(THREADS)
    responses: list[Response] = []
    with TestClient(create_app(any_engine), raise_server_exceptions=False) as client:

        def post() -> None:
            barrier.wait()
            response = client.post(
                "/v1/events", json=body, headers={"Authorization": f"Bearer {key}"}
            )
            responses.append(response)

        threads = [threading.Thread(target=post) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert len(responses) == THREADS
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    for response in responses:  # 201 exactly when this request stored something
        assert (response.status_code == 201) == (response.json()["stored"] > 0)
    assert sum(r.json()["stored"] for r in responses) == 30
    assert sum(r.json()["duplicates"] for r in responses) == 30 * (THREADS - 1)


def test_a_constraint_violation_is_a_409_not_a_500(engine: Engine) -> None:
    app = create_app(engine)
    row = {"product_id": "P-1", "kind": "product", "created_at": datetime.now(UTC)}

    @app.post("/test/insert-twice")
    def insert_twice() -> None:
        with engine.store.db.begin() as conn:
            conn.execute(insert(products), [row, row])  # the primary key refuses the second

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/test/insert-twice")
    assert response.status_code == 409
    assert "concurrent request" in response.json()["detail"]
