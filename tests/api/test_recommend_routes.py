"""The recommendation routes: roles, audit, errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kunde._engine.recommend_model import model_root
from kunde.api import create_app
from kunde.api.schemas_recommend import RecommendationsOut
from kunde.engine import Engine
from kunde.privacy import Actor, ConsentChange

ROLES = ("admin", "staff", "integration", "analyst")


@pytest.fixture
def shop(demo_engine: Engine) -> dict[str, Any]:
    """Keys of every role, a consenting customer with a history and a best seller."""
    model = demo_engine.recommend_model()
    customer = next(
        c for c in model.customer_ids.tolist() if (model.candidates[model.customer(c)] >= 0).any()
    )
    change = ConsentChange(
        purpose="personalization", granted=True, policy_version="v1", source="web"
    )
    demo_engine.record_consents(Actor(key_id=None, role="admin"), customer, [change])
    product = str(model.product_ids[int(model.also_bought.getnnz(axis=1).argmax())])
    category = demo_engine.interests(customer)["interests"][0]["category"]
    keys = {role: demo_engine.create_key(role) for role in ROLES}
    return {"customer": customer, "product": product, "category": category, "keys": keys}


@pytest.fixture
def client(demo_engine: Engine) -> Any:
    with TestClient(create_app(demo_engine)) as client:
        yield client


def _get(client: TestClient, shop: dict[str, Any], role: str, path: str) -> Any:
    return client.get(path, headers={"Authorization": f"Bearer {shop['keys'][role]}"})


ROUTES = {
    "also-bought": ("GET", "/v1/products/{product}/also-bought"),
    "complements": ("GET", "/v1/products/{product}/complements"),
    "recommendations": ("GET", "/v1/customers/{customer}/recommendations"),
    "personalization": ("GET", "/v1/customers/{customer}/personalization"),
    "remove-interest": ("DELETE", "/v1/customers/{customer}/personalization/interests/{category}"),
    "reset": ("POST", "/v1/customers/{customer}/personalization/reset"),
    "get-editorial": ("GET", "/v1/editorial"),
    "put-editorial": ("PUT", "/v1/editorial"),
}
EXPECTED = {
    "also-bought": {"admin": 200, "staff": 200, "integration": 200, "analyst": 200},
    "complements": {"admin": 200, "staff": 200, "integration": 200, "analyst": 200},
    "recommendations": {"admin": 200, "staff": 200, "integration": 200, "analyst": 403},
    "personalization": {"admin": 200, "staff": 200, "integration": 403, "analyst": 403},
    "remove-interest": {"admin": 204, "staff": 204, "integration": 403, "analyst": 403},
    "reset": {"admin": 204, "staff": 204, "integration": 403, "analyst": 403},
    "get-editorial": {"admin": 200, "staff": 200, "integration": 403, "analyst": 403},
    "put-editorial": {"admin": 200, "staff": 200, "integration": 403, "analyst": 403},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(ROUTES))
def test_role_matrix(client: TestClient, shop: dict[str, Any], route: str, role: str) -> None:
    method, path = ROUTES[route]
    url = path.format(**shop)
    body = {"product_ids": [shop["product"]]} if method == "PUT" else None
    response = client.request(
        method, url, json=body, headers={"Authorization": f"Bearer {shop['keys'][role]}"}
    )
    assert response.status_code == EXPECTED[route][role], response.text
    assert client.request(method, url, json=body).status_code == 401


def test_reads_by_people_are_audited_the_shop_backend_is_not(
    client: TestClient, shop: dict[str, Any], demo_engine: Engine
) -> None:
    path = f"/v1/customers/{shop['customer']}/recommendations"

    def reads() -> list[str]:
        entries, _ = demo_engine.audit_trail(customer_id=shop["customer"])
        return [e.actor_role for e in entries if e.action == "personal_data.read"]

    assert _get(client, shop, "integration", path).status_code == 200
    assert reads() == []
    assert _get(client, shop, "staff", path).status_code == 200
    assert reads() == ["staff"]


def test_page_items_carry_reasons_and_the_page_says_personal(
    client: TestClient, shop: dict[str, Any]
) -> None:
    path = f"/v1/customers/{shop['customer']}/recommendations?k=8"
    body = _get(client, shop, "integration", path).json()
    assert body["personal"] is True
    assert len(body["items"]) == 8
    assert all({"product_id", "name", "score", "reason"} <= set(i) for i in body["items"])
    cart = f"{path}&context=cart&product_id={shop['product']}"
    body = _get(client, shop, "integration", cart).json()
    assert body["context"] == "cart"
    assert any(i["because_of"] == shop["product"] for i in body["items"])


def test_reset_and_removal_are_effective_on_the_next_request(
    client: TestClient, shop: dict[str, Any]
) -> None:
    auth = {"Authorization": f"Bearer {shop['keys']['staff']}"}
    base = f"/v1/customers/{shop['customer']}/personalization"
    category = shop["category"]
    assert client.delete(f"{base}/interests/{category}", headers=auth).status_code == 204
    view = client.get(base, headers=auth).json()
    assert category in view["removed"]
    assert category not in [i["category"] for i in view["interests"]]
    assert client.post(f"{base}/reset", headers=auth).status_code == 204
    assert client.get(base, headers=auth).json()["interests"] == []
    page = client.get(f"/v1/customers/{shop['customer']}/recommendations", headers=auth).json()
    assert page["personal"] is False


def test_editorial_picks_fill_their_share(
    client: TestClient, shop: dict[str, Any], demo_engine: Engine
) -> None:
    auth = {"Authorization": f"Bearer {shop['keys']['admin']}"}
    model = demo_engine.recommend_model()
    picks = model.product_ids[-5:].tolist()
    response = client.put("/v1/editorial", json={"product_ids": picks, "share": 0.2}, headers=auth)
    assert response.json()["share"] == 0.2
    page = client.get(f"/v1/customers/{shop['customer']}/recommendations?k=10", headers=auth)
    reasons = [i["reason"] for i in page.json()["items"]]
    assert reasons.count("our pick") == 2


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/products/NO-SUCH/also-bought", 404),
        ("/v1/products/NO-SUCH/complements", 404),
        ("/v1/customers/NOBODY/recommendations", 404),
        ("/v1/customers/NOBODY/personalization", 404),
        ("/v1/products/{product}/also-bought?k=0", 422),
        ("/v1/products/{product}/also-bought?k=101", 422),
        ("/v1/products/{product}/also-bought?k=ten", 422),
        ("/v1/customers/{customer}/recommendations?context=shelf", 422),
        ("/v1/customers/{customer}/recommendations?context=cart", 422),
        ("/v1/customers/{customer}/recommendations?context=cart&product_id=NO-SUCH", 404),
    ],
    ids=lambda v: str(v),
)
def test_bad_requests_are_4xx_never_500(
    client: TestClient, shop: dict[str, Any], path: str, status: int
) -> None:
    response = _get(client, shop, "admin", path.format(**shop))
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    "body",
    [{"product_ids": ["NO-SUCH"]}, {"product_ids": "P1"}, {"product_ids": [], "share": 2}, []],
    ids=["unknown-product", "not-a-list", "share-above-1", "not-an-object"],
)
def test_bad_editorial_bodies(client: TestClient, shop: dict[str, Any], body: Any) -> None:
    auth = {"Authorization": f"Bearer {shop['keys']['admin']}"}
    response = client.put("/v1/editorial", json=body, headers=auth)
    assert response.status_code in (404, 422), response.text


def test_an_absorbed_id_gets_its_profile_and_addresses_it(
    client: TestClient, shop: dict[str, Any], demo_engine: Engine
) -> None:
    from kunde.identity import IdentifierIn, IdentifierKind

    survivor = shop["customer"]
    model = demo_engine.recommend_model()
    absorbed = next(c for c in model.customer_ids.tolist() if c and c != survivor)
    auth = {"Authorization": f"Bearer {shop['keys']['integration']}"}
    email = IdentifierIn(kind=IdentifierKind.EMAIL, value="one.person@example.de").model_dump()
    for customer in (absorbed, survivor):
        body = {"customer_id": customer, "identifiers": [email]}
        assert client.post("/v1/identify", json=body, headers=auth).status_code == 200
    page = client.get(f"/v1/customers/{absorbed}/recommendations", headers=auth)
    assert page.status_code == 200
    assert (page.json()["profile_id"], page.json()["personal"]) == (survivor, True)
    staff = {"Authorization": f"Bearer {shop['keys']['staff']}"}
    base = f"/v1/customers/{absorbed}/personalization"
    assert client.post(f"{base}/reset", headers=staff).status_code == 204
    view = client.get(f"/v1/customers/{survivor}/personalization", headers=staff).json()
    assert view["reset_at"] is not None and view["interests"] == []


def test_the_page_is_the_documented_json_from_thread_and_event_loop(
    client: TestClient, shop: dict[str, Any], demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route answers prebuilt JSON bytes; they follow the documented schema either way."""
    path = f"/v1/customers/{shop['customer']}/recommendations?k=7"
    pages = []
    for inline in (False, True):  # in a thread (a model to load or check), in the event loop
        monkeypatch.setattr(demo_engine, "recommendations_inline", lambda inline=inline: inline)
        pages.append(_get(client, shop, "integration", path))
    assert [p.status_code for p in pages] == [200, 200]
    assert pages[0].headers["content-type"] == "application/json"
    assert pages[0].json() == pages[1].json() == demo_engine.recommendations(shop["customer"], 7)
    RecommendationsOut.model_validate_json(pages[1].content)
    operation = client.get("/openapi.json").json()["paths"][
        "/v1/customers/{customer_id}/recommendations"
    ]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/RecommendationsOut"}


def test_inline_only_with_the_model_in_memory(demo_engine: Engine) -> None:
    assert not demo_engine.recommendations_inline()  # nothing loaded yet
    demo_engine.recommend_model()
    cache = demo_engine._recommend_cache()
    cache.invalidate()  # the pointer is due for a check: one stat, in the loop
    assert demo_engine.recommendations_inline()
    assert not cache.due()
    pointer = model_root(demo_engine.settings.data_dir) / "current.json"
    pointer.write_text(pointer.read_text() + " ")  # a new version, maybe: loaded in a thread
    cache.invalidate()
    assert not demo_engine.recommendations_inline()
    assert cache.due()
    demo_engine.recommend_model()  # loaded (the same version)
    assert demo_engine.recommendations_inline()
