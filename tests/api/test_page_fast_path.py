"""The short cut for current cached pages: the route's bytes, the route's errors, counted.

Each test first lets the route answer (the short cut only ever repeats a page the route
answered), then asks again and checks who answered: the :class:`PageFastPath` counts its
answers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kunde._engine.recommend_model import model_root
from kunde.api import create_app
from kunde.api.page_fast_path import PageFastPath
from kunde.engine import Engine
from kunde.privacy import Actor, ConsentChange

from .test_recommend_routes import shop  # noqa: F401 - the fixture

PATH = "/v1/customers/{}/recommendations"


@pytest.fixture
def client(demo_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(demo_engine)) as client:
        yield client


def _fast_path(client: TestClient) -> PageFastPath:
    app: Any = client.app
    layer = app.middleware_stack
    while not isinstance(layer, PageFastPath):
        layer = layer.app
    return layer


def _get(client: TestClient, key: str, customer: str, query: str = "") -> Any:
    url = PATH.format(customer) + (f"?{query}" if query else "")
    return client.get(url, headers={"Authorization": f"Bearer {key}"})


def _twice(client: TestClient, key: str, customer: str, query: str = "") -> tuple[Any, Any]:
    """The route's answer, then the same request again; the second answered by the short cut."""
    fast = _fast_path(client)
    first = _get(client, key, customer, query)
    answered = fast.answered
    second = _get(client, key, customer, query)
    assert fast.answered == answered + 1, query
    return first, second


def test_the_short_cut_gives_the_routes_bytes_and_headers(
    client: TestClient,
    shop: dict[str, Any],  # noqa: F811
) -> None:
    key, customer, product = shop["keys"]["integration"], shop["customer"], shop["product"]
    queries = [
        "",
        "k=10",
        "k=3",
        "k=100&context=home",
        f"context=cart&product_id={product}",
        f"context=product&product_id={product}&product_id={product}&k=7",
    ]
    for query in queries:
        first, second = _twice(client, key, customer, query)
        assert first.status_code == second.status_code == 200
        assert second.content == first.content
        assert second.headers.raw == first.headers.raw
    assert _get(client, key, customer).json()["personal"] is True


def test_errors_stay_the_routes(
    client: TestClient,
    shop: dict[str, Any],  # noqa: F811
) -> None:
    key, customer = shop["keys"]["integration"], shop["customer"]
    # first (a key's first use is a write: its last_used_at, and every write is news)
    assert _get(client, shop["keys"]["analyst"], customer).status_code == 403
    _twice(client, key, customer)  # the page is cached and current
    fast = _fast_path(client)
    answered = fast.answered
    assert _get(client, "kunde_notakey", customer).status_code == 401
    assert client.get(PATH.format(customer)).status_code == 401
    assert _get(client, shop["keys"]["analyst"], customer).status_code == 403
    for query in ("k=0", "k=101", "k=abc", "k=", "context=nowhere", "context=cart"):
        response = _get(client, key, customer, query)
        assert response.status_code == 422, query
        assert "detail" in response.json()
    assert _get(client, key, "no-such-customer").status_code == 404
    # well-formed but not taken by the short cut: answered by the route, the same page
    plain = _get(client, key, customer).content
    assert _get(client, key, customer, "k=010").content == plain
    assert _get(client, key, customer, "k=10&utm=x").content == plain
    assert fast.answered == answered + 1  # only the plain request


def test_revoked_keys_are_refused(
    client: TestClient,
    demo_engine: Engine,
    shop: dict[str, Any],  # noqa: F811
) -> None:
    key, customer = shop["keys"]["integration"], shop["customer"]
    _twice(client, key, customer)
    key_id = next(k["key_id"] for k in demo_engine.list_keys() if k["role"] == "integration")
    demo_engine.revoke_key(int(str(key_id)))
    assert _get(client, key, customer).status_code == 401


def test_people_are_audited_on_every_read(
    client: TestClient,
    demo_engine: Engine,
    shop: dict[str, Any],  # noqa: F811
) -> None:
    customer = shop["customer"]
    fast = _fast_path(client)
    answered = fast.answered
    before = len(demo_engine.audit_trail(customer_id=customer)[0])
    for role in ("admin", "staff"):
        for _ in range(2):
            assert _get(client, shop["keys"][role], customer).status_code == 200
    assert fast.answered == answered  # people's reads take the route
    assert len(demo_engine.audit_trail(customer_id=customer)[0]) == before + 4


def test_metrics_count_the_short_cut_under_the_route(
    client: TestClient,
    shop: dict[str, Any],  # noqa: F811
) -> None:
    key, customer = shop["keys"]["integration"], shop["customer"]
    fast = _fast_path(client)
    for _ in range(5):
        assert _get(client, key, customer).status_code == 200
    assert fast.answered >= 3
    metrics = client.get("/metrics").text
    line = (
        'kunde_http_requests_total{method="GET",'
        'route="/v1/customers/{customer_id}/recommendations",status="200"} 5.0'
    )
    assert line in metrics


def test_changes_count_on_the_very_next_request(
    client: TestClient,
    demo_engine: Engine,
    shop: dict[str, Any],  # noqa: F811
) -> None:
    key, customer, product = shop["keys"]["integration"], shop["customer"], shop["product"]
    auth = {"Authorization": f"Bearer {key}"}
    first, _ = _twice(client, key, customer)
    assert first.json()["personal"] is True

    # another process's engine (its own connections): consent withdrawn
    other = Engine(demo_engine.settings)
    change = ConsentChange(
        purpose="personalization", granted=False, policy_version="v1", source="web"
    )
    other.record_consents(Actor(key_id=None, role="admin"), customer, [change])
    other.close()
    page = _get(client, key, customer).json()
    assert (page["personal"], page["basis"]) == (False, "no_consent")

    # the same app's own connection: consent given again through the API
    _twice(client, key, customer)
    body = {"purpose": "personalization", "granted": True, "policy_version": "v1", "source": "web"}
    answer = client.post(f"/v1/customers/{customer}/consents", json=body, headers=auth)
    assert answer.status_code < 300, answer.text
    assert _get(client, key, customer).json()["personal"] is True

    # a reset by a person, through the API
    admin = {"Authorization": f"Bearer {shop['keys']['admin']}"}
    client.get("/v1/editorial", headers=admin)  # the admin key's first use (a write)
    _twice(client, key, customer)
    reset = f"/v1/customers/{customer}/personalization/reset"
    assert client.post(reset, headers=admin).status_code < 300
    assert _get(client, key, customer).json()["basis"] == "no_history"

    # new editorial picks through the engine (the app's process, another connection)
    _twice(client, key, customer)
    demo_engine.put_editorial([product], share=0.5)
    items = _get(client, key, customer).json()["items"]
    assert [i["product_id"] for i in items if i["reason_code"] == "editorial"] == [product]

    # a connection that is not kunde's at all: the editorial picks deleted
    _twice(client, key, customer)
    raw = sqlite3.connect(str(demo_engine.settings.database_url).removeprefix("sqlite:///"))
    raw.execute("DELETE FROM editorial_picks")
    raw.commit()
    raw.close()
    items = _get(client, key, customer).json()["items"]
    assert not any(i["reason_code"] == "editorial" for i in items)


def test_a_new_model_pointer_goes_to_the_route(
    client: TestClient,
    demo_engine: Engine,
    shop: dict[str, Any],  # noqa: F811
) -> None:
    key, customer = shop["keys"]["integration"], shop["customer"]
    first, _ = _twice(client, key, customer)
    fast = _fast_path(client)
    cache = demo_engine._recommend_cache()
    cache.invalidate()  # due: checked with one stat, the pointer unchanged
    answered = fast.answered
    assert _get(client, key, customer).content == first.content
    assert fast.answered == answered + 1
    pointer = model_root(demo_engine.settings.data_dir) / "current.json"
    pointer.write_text(pointer.read_text() + "\n")  # `kunde train` swapped (here: the same)
    cache.invalidate()
    assert _get(client, key, customer).content == first.content
    assert fast.answered == answered + 1  # the route loaded it
    assert not cache.due()
