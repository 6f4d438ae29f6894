"""Erasure in the store, on SQLite and PostgreSQL; coverage of every table."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, select

from kunde.catalog import ProductIn
from kunde.engine import Engine
from kunde.errors import NotFoundError
from kunde.identity import CustomerProfile, EventIn
from kunde.orders import OrderIn
from kunde.privacy import PSEUDONYM_PREFIX, Actor, ConsentChange, PaymentMethodIn
from kunde.store.rights import ERASURE_RULES, uncovered_columns
from kunde.store.tables import audit_entries, metadata, order_lines, orders

ADMIN = Actor(key_id=None, role="admin", reason="ticket for Xaverine Quenzel")


def _shop(engine: Engine, customer_id: str) -> None:
    engine.upsert_products([ProductIn(product_id="P-1", name="Kanne", category="Garten")])
    profile = CustomerProfile(
        customer_id=customer_id,
        given_name="Xaverine",
        family_name="Quenzel",
        email="xq@example.org",
    )
    engine.put_profile(ADMIN, profile)
    engine.add_orders(
        [
            OrderIn.model_validate(
                {
                    "order_id": f"O-{customer_id}-{year}",
                    "customer_id": customer_id,
                    "ordered_at": f"{year}-03-01T10:00:00",
                    "lines": [{"product_id": "P-1", "quantity": 1, "unit_price": 5.0}],
                }
            )
            for year in (2010, 2025)
        ]
    )
    engine.add_events(
        [
            EventIn(
                event_id=f"E-{customer_id}",
                occurred_at=datetime(2026, 1, 1),
                type="view",
                customer_id=customer_id,
            )
        ]
    )
    engine.record_consents(
        ADMIN,
        customer_id,
        [ConsentChange(purpose="analytics", granted=True, policy_version="v1", source="web")],
    )
    engine.add_payment_method(ADMIN, customer_id, PaymentMethodIn(provider="p", token="tok_1"))


def test_erasure_removes_the_customer_and_keeps_recent_lines_pseudonymised(
    any_engine: Engine,
) -> None:
    _shop(any_engine, "C-1")
    _shop(any_engine, "C-2")
    result = any_engine.erase_customer(ADMIN, "C-1")
    pseudonym = result["pseudonym"]
    assert pseudonym.startswith(PSEUDONYM_PREFIX) and "C-1" not in pseudonym
    assert not any_engine.store.rights.is_known("C-1")
    with pytest.raises(NotFoundError):
        any_engine.get_customer("C-1")
    with any_engine.store.db.connect() as conn:
        kept = (
            conn.execute(
                select(order_lines.c.ordered_at).where(order_lines.c.customer_id == pseudonym)
            )
            .scalars()
            .all()
        )
        assert [d.year for d in kept] == [2025]  # 2010 is past the 10-year retention
        assert conn.execute(
            select(orders.c.order_id).where(orders.c.customer_id == pseudonym)
        ).all()
        audit = conn.execute(select(audit_entries)).mappings().all()
    assert not [a for a in audit if a["customer_id"] == "C-1"]
    mine = [a for a in audit if a["customer_id"] == pseudonym]
    assert mine and all(a["reason"] == "ticket for [erased]" for a in mine)
    erase = [a for a in audit if a["action"] == "customer.erase"]
    assert len(erase) == 1 and erase[0]["customer_id"] is None
    assert erase[0]["reason"] == "ticket for [erased]"  # why, without whom
    # the other customer is untouched
    assert any_engine.get_customer("C-2")["given_name"] == "Xaverine"
    assert any_engine.erased_mask(["C-1", "C-2", pseudonym]).tolist() == [True, False, True]
    with pytest.raises(NotFoundError):
        any_engine.erase_customer(ADMIN, "C-1")


def test_every_personal_column_is_covered_by_erasure() -> None:
    """Fails when a table (e.g. from another branch) holds personal-looking columns that the
    erasure does not handle: add a rule to kunde.store.rights.ERASURE_RULES."""
    assert uncovered_columns() == []
    covered = {t.name for t in metadata.sorted_tables if "customer_id" in t.columns}
    assert covered | set(ERASURE_RULES) >= {"customers", "events", "order_lines", "identifiers"}


def test_new_tables_are_covered_by_their_customer_id_columns_or_caught() -> None:
    schema = MetaData()
    # rows found by any *_customer_id column are deleted whole, personal columns included
    Table("customer_merges", schema, Column("merged_customer_id", String), Column("email", String))
    Table("notes", schema, Column("customer_id", String), Column("phone", String))
    # a table that names people without a customer id cannot be erased by rule: caught
    Table("newsletter", schema, Column("email", String), Column("given_name", String))
    assert uncovered_columns(schema) == ["newsletter.email", "newsletter.given_name"]


def test_export_streams_every_line_in_batches(any_engine: Engine, tmp_path: Path) -> None:
    """More lines than one fetch batch; a column empty in the first batch only."""
    n = 5_000 + 1_234
    channel = ["web" if i >= 5_000 else "" for i in range(n)]
    rows = [f"C-9,2025-01-{1 + i % 28:02d},O-{i},P-{i % 50},1,2.5,{channel[i]}" for i in range(n)]
    source = tmp_path / "orders.csv"
    header = "customer_id,ordered_at,order_id,product_id,quantity,unit_price,channel"
    source.write_text("\n".join([header, *rows]) + "\n")
    assert any_engine.import_orders(source).imported == n
    target = io.BytesIO()
    counts = any_engine.export_customer(ADMIN, "C-9", target)
    assert counts == {"orders.csv": n, "events.csv": 0}
    with zipfile.ZipFile(target) as archive:
        lines = archive.read("orders.csv").decode().splitlines()
    assert len(lines) == n + 1
    assert sum(line.split(",")[8] == '"web"' for line in lines[1:]) == 1_234


def test_erasure_makes_cached_value_scores_stale(any_engine: Engine) -> None:
    _shop(any_engine, "C-1")
    before = any_engine.store.value.data_version()
    any_engine.erase_customer(ADMIN, "C-1")
    assert any_engine.store.value.data_version() > before  # the value cache keys on it
