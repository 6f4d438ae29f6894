"""Schema contract: migrations create every table on each database."""

from __future__ import annotations

from sqlalchemy import inspect

from kunde.engine import Engine
from kunde.store.tables import metadata


def test_migrations_create_every_table(any_engine: Engine) -> None:
    names = set(inspect(any_engine.store.db).get_table_names())
    assert {t.name for t in metadata.sorted_tables} <= names
    assert any_engine.store.schema_is_current()


def test_init_is_idempotent(any_engine: Engine) -> None:
    any_engine.init()
    any_engine.init()
    assert any_engine.store.schema_is_current()
