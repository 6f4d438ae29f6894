"""Building the demo shop into a store through the ordinary importers."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pytest
from sqlalchemy import Table, func, select

from kunde.config import Settings
from kunde.demo import generate_shop
from kunde.engine import Engine
from kunde.errors import AuthenticationError, ConfigurationError
from kunde.store.tables import customers, events, identifiers, order_lines, products

SMALL = 200


def _count(engine: Engine, table: Table) -> int:
    with engine.store.db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_build_demo_stores_every_line_and_reruns_without_duplicates(any_engine: Engine) -> None:
    engine = any_engine
    shop = generate_shop(seed=5, customers=SMALL)
    first = engine.build_demo(seed=5, customers=SMALL)
    for kind, table in (
        ("products", shop.products),
        ("orders", shop.lines),
        ("events", shop.events),
    ):
        summary = first[kind]
        assert isinstance(summary, dict)
        assert summary["read"] == table.num_rows, kind
        assert summary["rejected"] == 0, (kind, summary)
        assert summary["imported"] + summary["duplicates"] == table.num_rows, kind
        assert summary["imported"] == table.num_rows, kind
    assert first["customers"] == SMALL
    assert Path(str(first["directory"]), "orders.csv").is_file()
    value = first["value"]
    assert isinstance(value, dict)
    assert value["chosen"] in ("bgnbd", "pareto_nbd", "mbgnbd")
    assert 0 < value["customers"] <= SMALL
    recommend = first["recommend"]
    assert isinstance(recommend, dict)
    assert 0 < recommend["customers"] <= SMALL
    assert engine.recommend_model().version == recommend["version"]

    assert _count(engine, customers) >= SMALL
    assert _count(engine, products) >= shop.products.num_rows
    assert _count(engine, order_lines) == shop.lines.num_rows
    assert _count(engine, events) == shop.events.num_rows
    # every anonymous id that logged in is now an identifier of its customer
    logins = shop.events.filter(pc.equal(shop.events["type"], "login"))
    pairs = zip(logins["anonymous_id"].to_pylist(), logins["customer_id"].to_pylist(), strict=True)
    linked = set(pairs)
    with engine.store.db.connect() as conn:
        stored = conn.execute(
            select(identifiers.c.value, identifiers.c.customer_id).where(
                identifiers.c.kind == "anonymous_id"
            )
        ).all()
    assert {(value, customer) for value, customer in stored} == linked
    with engine.store.db.connect() as conn:
        returns = conn.execute(
            select(order_lines.c.return_of).where(order_lines.c.quantity < 0)
        ).all()
        postage = conn.execute(
            select(order_lines.c.kind).where(order_lines.c.product_id == "POST").distinct()
        ).all()
    assert returns and all(row.return_of is not None for row in returns)
    assert [row.kind for row in postage] == ["fee"]

    again = engine.build_demo(seed=5, customers=SMALL)
    for kind in ("products", "orders", "events"):
        summary = again[kind]
        assert isinstance(summary, dict)
        assert summary["rejected"] == 0 and summary["imported"] == 0, (kind, summary)
    assert _count(engine, order_lines) == shop.lines.num_rows
    assert _count(engine, events) == shop.events.num_rows


def test_demo_examples_exist_in_the_store(engine: Engine) -> None:
    result = engine.build_demo(seed=5, customers=SMALL)
    example = str(result["example_customer_id"])
    customer = engine.get_customer(example)
    assert customer["given_name"] and customer["addresses"]
    assert customer["summary"] is not None
    assert engine.has_consent(example, "personalization")  # the personal feed can be tried
    assert engine.recommendations(example)["personal"] is True


def test_demo_consents_are_recorded_once(engine: Engine) -> None:
    first = engine.build_demo(seed=5, customers=SMALL)
    granted = engine.consented_customers("personalization")
    assert 0.5 * SMALL < len(granted) < 0.9 * SMALL  # most, not all, agreed
    assert isinstance(first["consents"], int) and first["consents"] > len(granted)
    assert engine.build_demo(seed=5, customers=SMALL)["consents"] == 0


def test_demo_admin_key_is_created_once(engine: Engine) -> None:
    key = engine.demo_admin_key()
    assert key is not None
    assert engine.authenticate(key).role == "admin"
    assert engine.demo_admin_key() is None
    another = engine.demo_admin_key(new=True)
    assert another is not None and another != key
    engine.revoke_key(engine.authenticate(another).key_id)
    with pytest.raises(AuthenticationError):
        engine.authenticate(another)
    replacement = engine.demo_admin_key()
    assert replacement is not None
    assert engine.authenticate(replacement).role == "admin"
    marker = (engine.settings.data_dir / "demo").glob("*")
    assert all(key not in path.read_text() for path in marker)


def test_demo_refuses_production(sqlite_url: str, tmp_path: Path) -> None:
    settings = Settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        environment="production",
        secret_key="x" * 40,
    )
    engine = Engine(settings)
    try:
        with pytest.raises(ConfigurationError, match="production"):
            engine.build_demo(customers=10)
    finally:
        engine.close()
