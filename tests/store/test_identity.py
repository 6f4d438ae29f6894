"""Identity graph contract, run on SQLite and PostgreSQL: links, merges, unmerges, summaries."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from kunde.engine import Engine
from kunde.errors import ConflictError, InvalidFieldError, NotFoundError
from kunde.identity import EventIn, IdentifierIn, IdentifierKind, IdentifyIn
from kunde.orders import LineIn, OrderIn
from kunde.privacy import Actor
from kunde.store.tables import audit_entries, customer_merges, identifiers, metadata

ADMIN = Actor(key_id=None, role="admin", reason="ticket 42")
K = IdentifierKind


def identify(engine: Engine, customer_id: str, *pairs: tuple[IdentifierKind, str]) -> dict:  # type: ignore[type-arg]
    request = IdentifyIn(
        customer_id=customer_id,
        identifiers=[IdentifierIn(kind=kind, value=value) for kind, value in pairs],
    )
    return engine.identify(ADMIN, request)


def order(order_id: str, customer_id: str | None, at: datetime, *quantities: int) -> OrderIn:
    return OrderIn(
        order_id=order_id,
        customer_id=customer_id,
        ordered_at=at,
        channel="store",
        lines=[
            LineIn(product_id=f"P{i}", quantity=q, unit_price=10.0)
            for i, q in enumerate(quantities)
        ],
    )


def test_migration_matches_the_tables(any_engine: Engine) -> None:
    with any_engine.store.db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    mine = ("customer_merges", "identifiers", "ix_events_device_id")
    assert [d for d in diff if any(name in str(d) for name in mine)] == []


def test_identify_links_normalised_identifiers_and_creates_the_customer(any_engine: Engine) -> None:
    result = identify(any_engine, "c1", (K.EMAIL, " Anna@Example.DE"), (K.PHONE, "030 1234567"))
    assert result["linked"] == [
        {"kind": "email", "value": "anna@example.de"},
        {"kind": "phone", "value": "+49301234567"},
    ]
    assert result["merged"] == [] and result["refused"] == [] and result["profile_id"] == "c1"
    customer = any_engine.customer_profile("c1")
    assert {(i["kind"], i["value"]) for i in customer["identifiers"]} == {  # type: ignore[attr-defined]
        ("email", "anna@example.de"),
        ("phone", "+49301234567"),
    }


def test_identify_is_idempotent(any_engine: Engine) -> None:
    first = identify(any_engine, "c1", (K.EMAIL, "anna@example.de"))
    again = identify(any_engine, "c1", (K.EMAIL, "ANNA@example.de"))
    assert first["linked"] == again["already_linked"] and again["linked"] == []
    with any_engine.store.db.connect() as conn:
        assert len(conn.execute(select(identifiers)).all()) == 1


def test_a_shared_identifier_merges_and_undo_restores_both(any_engine: Engine) -> None:
    any_engine.add_orders([order("O1", "c1", datetime(2026, 3, 1, 10), 1)])
    any_engine.add_orders([order("O2", "c2", datetime(2026, 3, 1, 18), 2)])
    identify(any_engine, "c2", (K.LOYALTY_CARD, "1234 5678"))
    result = identify(any_engine, "c1", (K.LOYALTY_CARD, "12345678"))
    (merge,) = result["merged"]
    assert (merge["survivor"], merge["absorbed"], merge["kind"]) == ("c1", "c2", "loyalty_card")
    assert any_engine.resolve_customers(["c1", "c2", "c3"]).tolist() == ["c1", "c1", "c3"]
    merged = any_engine.customer_profile("c2")
    assert merged["profile_id"] == "c1" and merged["merged_into"] == "c1"
    summary = merged["summary"]
    assert summary["orders"] == 2 and summary["purchase_days"] == 1  # type: ignore[index]
    assert summary["net_revenue"] == 30.0  # type: ignore[index]
    assert [m["absorbed"] for m in merged["merges"]] == ["c2"]  # type: ignore[attr-defined]

    undone = any_engine.undo_merge(ADMIN, merge["merge_id"])
    assert (undone["survivor_profile_id"], undone["absorbed_profile_id"]) == ("c1", "c2")
    assert any_engine.resolve_customers(["c1", "c2"]).tolist() == ["c1", "c2"]
    for cid, revenue in (("c1", 10.0), ("c2", 20.0)):
        alone = any_engine.customer_profile(cid)
        assert alone["summary"]["net_revenue"] == revenue and alone["merges"] == []  # type: ignore[index]
    with pytest.raises(ConflictError, match="undone already"):
        any_engine.undo_merge(ADMIN, merge["merge_id"])
    again = identify(any_engine, "c1", (K.LOYALTY_CARD, "12345678"))
    assert again["merged"] == [] and [r["reason"] for r in again["refused"]] == ["merge_undone"]


def test_merges_and_unmerges_are_audited_without_identifier_values(any_engine: Engine) -> None:
    identify(any_engine, "c2", (K.EMAIL, "anna@example.de"))
    merge_id = identify(any_engine, "c1", (K.EMAIL, "anna@example.de"))["merged"][0]["merge_id"]
    any_engine.undo_merge(Actor(key_id=None, role="staff", reason="customer called"), merge_id)
    with any_engine.store.db.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(audit_entries))]
    actions = sorted((r["action"], r["customer_id"]) for r in rows)
    assert actions == [
        ("identity.link", "c1"),
        ("identity.link", "c2"),
        ("identity.merge", "c1"),
        ("identity.merge", "c2"),
        ("identity.unmerge", "c1"),
        ("identity.unmerge", "c2"),
    ]
    unmerge = next(r for r in rows if r["action"] == "identity.unmerge")
    assert unmerge["reason"] == "customer called" and unmerge["actor_role"] == "staff"
    assert unmerge["details"] in (
        {"merge_id": merge_id, "side": "survivor"},
        {"merge_id": merge_id, "side": "absorbed"},
    )
    merges = [r for r in rows if r["action"] == "identity.merge"]
    assert {(r["customer_id"], r["details"]["side"]) for r in merges} == {
        ("c1", "survivor"),
        ("c2", "absorbed"),
    }
    assert all("c1" not in str(r["details"]) and "c2" not in str(r["details"]) for r in rows)
    assert all("anna" not in str(r["details"]) for r in rows)


def test_the_shared_device_guard_refuses_but_records(any_engine: Engine) -> None:
    any_engine.settings.identity_max_profiles = 2
    for cid in ("a", "b", "c"):
        any_engine.add_events(
            [
                EventIn(
                    event_id=f"e-{cid}",
                    occurred_at=datetime(2026, 1, 1),
                    type="login",
                    customer_id=cid,
                    device_id="kiosk",
                )
            ]
        )
    result = identify(any_engine, "d", (K.DEVICE_ID, "kiosk"))
    assert result["merged"] == []
    assert sorted((r["customer_id"], r["reason"]) for r in result["refused"]) == [
        ("a", "shared_identifier"),
        ("b", "shared_identifier"),
        ("c", "shared_identifier"),
    ]
    with any_engine.store.db.connect() as conn:
        linked = conn.execute(
            select(identifiers.c.customer_id).where(identifiers.c.value == "kiosk")
        ).scalars()
        assert sorted(linked) == ["a", "b", "c", "d"]
        assert conn.execute(select(customer_merges)).all() == []


def test_undo_of_an_unknown_merge_is_not_found(any_engine: Engine) -> None:
    with pytest.raises(NotFoundError):
        any_engine.undo_merge(ADMIN, 999)


def test_a_malformed_identifier_names_its_field(any_engine: Engine) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        identify(any_engine, "c1", (K.EMAIL, "a@example.de"), (K.PHONE, "call me"))
    assert caught.value.field == "identifiers[1].value"
    assert "call me" not in str(caught.value)


def test_profile_summary_counts_a_shared_day_once(any_engine: Engine) -> None:
    any_engine.add_orders([order("O1", "c1", datetime(2026, 3, 1, 10), 1)])
    any_engine.add_orders([order("O2", "c2", datetime(2026, 3, 2, 10), 1, -1)])
    summary = any_engine.store.identity.profile_summary(["c1", "c2"])
    assert summary == {
        "first_purchase_day": date(2026, 3, 1),
        "last_purchase_day": date(2026, 3, 2),
        "purchase_days": 2,
        "net_revenue": 10.0,
        "orders": 2,
    }
    assert any_engine.store.identity.profile_summary(["nobody"]) is None


def test_migration_0005_keeps_links_and_goes_back(any_engine: Engine) -> None:
    from alembic import command

    from kunde.store.database import _alembic_config

    config = _alembic_config(any_engine.store.db)
    identify(any_engine, "c1", (K.EMAIL, "anna@example.de"))
    identify(any_engine, "c2", (K.EMAIL, "anna@example.de"))  # merges: one merge row
    command.downgrade(config, "0005-1")  # just below this migration
    with any_engine.store.db.connect() as conn:
        rows = conn.execute(select(identifiers.c.value, identifiers.c.customer_id)).all()
    assert [tuple(r) for r in rows] == [("anna@example.de", "c1")]  # the first link stays
    command.upgrade(config, "head")
    assert any_engine.store.schema_is_current()
    assert identify(any_engine, "c2", (K.EMAIL, "anna@example.de"))["merged"] != []


def test_resolution_of_some_ids_agrees_with_the_whole_resolution(any_engine: Engine) -> None:
    # a forest: c1 <- c2 <- c3, c1 <- c4, c5 <- c6; c7 alone; an undone merge c8 -> c5
    edges = [("c1", "c2"), ("c2", "c3"), ("c1", "c4"), ("c5", "c6"), ("c5", "c8")]
    at = datetime(2026, 1, 1)
    with any_engine.store.db.begin() as conn:
        conn.execute(
            customer_merges.insert(),
            [
                {
                    "customer_id": survivor,
                    "absorbed_customer_id": absorbed,
                    "reason": "test",
                    "created_at": at,
                    "created_by": "test",
                    "undone_at": at if absorbed == "c8" else None,
                }
                for survivor, absorbed in edges
            ],
        )
    whole = any_engine.store.identity.resolution()
    for cid in [f"c{i}" for i in range(1, 9)]:
        part = any_engine.store.identity.resolution_of([cid])
        assert part.members(cid) == whole.members(cid), cid
    assert whole.members("c3") == ["c1", "c2", "c3", "c4"]
    assert whole.members("c8") == ["c8"]
