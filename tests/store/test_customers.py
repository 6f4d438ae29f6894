"""Contract tests of the customer profile repository (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from kunde.engine import Engine
from kunde.identity import Address, Channel, ChannelPreference, CustomerProfile
from kunde.store.tables import identifiers

T0 = datetime(2026, 11, 23, 9, 0, 0)
T1 = datetime(2026, 11, 24, 9, 0, 0)

ANNA = CustomerProfile(
    customer_id="C-1001",
    given_name="Anna",
    family_name="Müller",
    salutation="Frau",
    title="Dr.",
    language="de",
    formality="formal",
    email="anna.mueller@example.de",
    phone="+49 30 1234567",
    country="DE",
    addresses=[
        Address(street="Hauptstraße 5", postal_code="10115", city="Berlin", country="DE"),
        Address(
            kind="billing",
            name="Müller GmbH",
            street="Am Markt 1",
            postal_code="80331",
            city="München",
            country="DE",
        ),
    ],
    channels={
        Channel.EMAIL: ChannelPreference(preferred=True, max_per_month=4),
        Channel.SMS: ChannelPreference(allowed=False),
    },
)


def test_upsert_then_get_round_trips_every_field(any_engine: Engine) -> None:
    assert any_engine.store.customers.upsert([ANNA], T0) == 1
    stored = any_engine.store.customers.get("C-1001")
    assert stored is not None
    expected = ANNA.model_dump(mode="json")
    assert {k: stored[k] for k in expected} == expected
    assert stored["created_at"] == T0
    assert stored["updated_at"] == T0


def test_unknown_customer_is_none(any_engine: Engine) -> None:
    any_engine.store.customers.upsert([ANNA], T0)
    assert any_engine.store.customers.get("C-9999") is None


def test_upsert_again_replaces_fields_and_keeps_created_at(any_engine: Engine) -> None:
    any_engine.store.customers.upsert([ANNA], T0)
    moved = CustomerProfile(customer_id="C-1001", given_name="Anna", language="en")
    assert any_engine.store.customers.upsert([moved], T1) == 1
    stored = any_engine.store.customers.get("C-1001")
    assert stored is not None
    assert stored["language"] == "en"
    assert stored["family_name"] is None  # a posted profile is the whole profile
    assert stored["addresses"] == []
    assert stored["channels"] == {}
    assert (stored["created_at"], stored["updated_at"]) == (T0, T1)


def test_the_last_of_repeated_profiles_in_one_batch_wins(any_engine: Engine) -> None:
    first = CustomerProfile(customer_id="C-7", given_name="Ben")
    second = CustomerProfile(customer_id="C-7", given_name="Benjamin")
    assert any_engine.store.customers.upsert([first, second], T0) == 1
    stored = any_engine.store.customers.get("C-7")
    assert stored is not None and stored["given_name"] == "Benjamin"


def test_bulk_upsert_beyond_one_chunk(any_engine: Engine) -> None:
    profiles = [
        CustomerProfile(customer_id=f"C-{i:05d}", given_name=f"Name {i}", country="GB")
        for i in range(2_345)
    ]
    assert any_engine.store.customers.upsert(profiles, T0) == 2_345
    last = any_engine.store.customers.get("C-02344")
    assert last is not None and last["given_name"] == "Name 2344"


def test_identifiers_are_listed_oldest_first(any_engine: Engine) -> None:
    any_engine.store.customers.upsert([ANNA], T0)
    with any_engine.store.db.begin() as conn:
        conn.execute(
            insert(identifiers),
            [
                {
                    "kind": "email",
                    "value": "anna@example.de",
                    "customer_id": "C-1001",
                    "created_at": T1,
                },
                {
                    "kind": "anonymous_id",
                    "value": "a-123",
                    "customer_id": "C-1001",
                    "created_at": T0,
                },
            ],
        )
    found = any_engine.store.customers.identifiers("C-1001")
    assert [(i["kind"], i["value"], i["created_at"]) for i in found] == [
        ("anonymous_id", "a-123", T0),
        ("email", "anna@example.de", T1),
    ]
    assert any_engine.store.customers.identifiers("C-9999") == []
