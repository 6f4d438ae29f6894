"""``GET /v1/customers/{customer_id}``."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import insert

from kunde.api import create_app
from kunde.engine import Engine
from kunde.identity import Address, Channel, ChannelPreference, CustomerProfile
from kunde.store.tables import identifiers

JANA = CustomerProfile(
    customer_id="C-1",
    given_name="Jana",
    family_name="Schäfer",
    salutation="Frau",
    language="de",
    formality="formal",
    email="jana@example.de",
    country="DE",
    addresses=[Address(street="Lindenweg 3", postal_code="50667", city="Köln", country="DE")],
    channels={Channel.POSTAL_LETTER: ChannelPreference(preferred=True)},
)


def test_profile_with_identifiers(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    engine.upsert_customers([JANA])
    with engine.store.db.begin() as conn:
        conn.execute(
            insert(identifiers).values(
                kind="loyalty_card",
                value="LC-77",
                customer_id="C-1",
                created_at=datetime(2026, 1, 5, 12, 0),
            )
        )
    response = client.get("/v1/customers/C-1", headers=auth["staff"])
    assert response.status_code == 200
    body = response.json()
    assert body["given_name"] == "Jana"
    assert body["family_name"] == "Schäfer"
    assert body["addresses"][0]["city"] == "Köln"
    assert body["channels"] == {
        "postal_letter": {"allowed": True, "preferred": True, "max_per_month": None}
    }
    assert body["identifiers"] == [
        {
            "kind": "loyalty_card",
            "value": "LC-77",
            "created_at": "2026-01-05T12:00:00",
            "customer_id": "C-1",
        }
    ]
    assert (body["profile_id"], body["merged_into"], body["merges"]) == ("C-1", None, [])
    assert body["summary"] is None  # no purchases yet


def test_customer_known_only_from_orders(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    order = {
        "order_id": "O-1",
        "customer_id": "C-5",
        "ordered_at": "2026-10-01T08:00:00",
        "lines": [{"product_id": "P-1", "quantity": 1, "unit_price": 10.0}],
    }
    client.post("/v1/orders", json=order, headers=auth["integration"])
    response = client.get("/v1/customers/C-5", headers=auth["admin"])
    assert response.status_code == 200
    body = response.json()
    assert body["given_name"] is None and body["addresses"] == []
    assert body["summary"]["net_revenue"] == 10.0


def test_unknown_customer_is_404(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    response = client.get("/v1/customers/C-404", headers=auth["staff"])
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no customer with id 'C-404'."}


def test_ids_with_reserved_characters(
    client: TestClient, auth: dict[str, dict[str, str]], engine: Engine
) -> None:
    engine.upsert_customers([CustomerProfile(customer_id="K 1+ä?#", given_name="Öz")])
    response = client.get("/v1/customers/K%201%2B%C3%A4%3F%23", headers=auth["staff"])
    assert response.status_code == 200
    assert response.json()["given_name"] == "Öz"


def test_orders_and_profile_read_back_on_every_database(any_engine: Engine) -> None:
    any_engine.upsert_customers([JANA])
    staff = {"Authorization": f"Bearer {any_engine.create_key('staff')}"}
    integration = {"Authorization": f"Bearer {any_engine.create_key('integration')}"}
    order = {
        "order_id": "O-1",
        "customer_id": "C-1",
        "ordered_at": "2026-10-01T08:00:00",
        "lines": [{"product_id": "P-1", "quantity": 3, "unit_price": 2.5}],
    }
    with TestClient(create_app(any_engine)) as client:
        assert client.post("/v1/orders", json=order, headers=integration).status_code == 201
        assert client.post("/v1/orders", json=order, headers=integration).status_code == 200
        response = client.get("/v1/customers/C-1", headers=staff)
    assert response.status_code == 200
    body = response.json()
    assert body["addresses"][0]["postal_code"] == "50667"
    assert body["summary"]["orders"] == 1
    assert body["summary"]["net_revenue"] == 7.5
