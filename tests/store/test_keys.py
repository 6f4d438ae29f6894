"""Contract tests of the API key repository (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from kunde.config import Settings
from kunde.engine import Engine
from kunde.store import connect

T0 = datetime(2026, 11, 23, 9, 0, 0)
T1 = datetime(2026, 11, 23, 10, 30, 0)


def _insert(engine: Engine, key_hash: str = "a" * 64, role: str = "staff") -> int:
    return engine.store.keys.insert(
        prefix="kunde_abcdef", key_hash=key_hash, role=role, name="service desk", created_at=T0
    )


def test_insert_then_find_by_hash(any_engine: Engine) -> None:
    key_id = _insert(any_engine)
    record = any_engine.store.keys.find_by_hash("a" * 64)
    assert record is not None
    assert (record.key_id, record.prefix, record.role, record.name) == (
        key_id,
        "kunde_abcdef",
        "staff",
        "service desk",
    )
    assert record.created_at == T0
    assert record.revoked_at is None
    assert record.last_used_at is None


def test_unknown_hash_finds_nothing(any_engine: Engine) -> None:
    _insert(any_engine)
    assert any_engine.store.keys.find_by_hash("b" * 64) is None


def test_key_ids_are_distinct(any_engine: Engine) -> None:
    ids = {_insert(any_engine, key_hash=c * 64) for c in "abc"}
    assert len(ids) == 3


def test_the_same_hash_cannot_be_stored_twice(any_engine: Engine) -> None:
    _insert(any_engine)
    with pytest.raises(IntegrityError):
        _insert(any_engine)


def test_revoke_marks_the_key_once(any_engine: Engine) -> None:
    key_id = _insert(any_engine)
    assert any_engine.store.keys.revoke(key_id, T1)
    assert any_engine.store.keys.revoke(key_id, datetime(2030, 1, 1))  # exists; time kept
    record = any_engine.store.keys.find_by_hash("a" * 64)
    assert record is not None
    assert record.revoked_at == T1


def test_revoke_unknown_key_reports_it(any_engine: Engine) -> None:
    assert not any_engine.store.keys.revoke(4242, T1)


def test_touch_records_last_use(any_engine: Engine) -> None:
    key_id = _insert(any_engine)
    other = _insert(any_engine, key_hash="c" * 64)
    any_engine.store.keys.touch(key_id, T1)
    record = any_engine.store.keys.find_by_hash("a" * 64)
    untouched = any_engine.store.keys.find_by_hash("c" * 64)
    assert record is not None and record.last_used_at == T1
    assert untouched is not None and untouched.key_id == other and untouched.last_used_at is None


def test_touch_gives_up_quickly_while_the_database_is_locked(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = Engine(Settings(database_url=sqlite_url, data_dir=tmp_path, environment="test"))
    key_id = _insert(engine)
    other = connect(sqlite_url)
    try:
        with other.connect() as writer:
            writer.exec_driver_sql("BEGIN IMMEDIATE")  # holds the write lock, as an import does
            started = time.monotonic()
            with pytest.raises(OperationalError):
                engine.store.keys.touch(key_id, T1)
            assert time.monotonic() - started < 5
            writer.exec_driver_sql("ROLLBACK")
        with engine.store.db.connect() as conn:  # the connection's usual patience is restored
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 30_000
        engine.store.keys.touch(key_id, T1)
    finally:
        other.dispose()
        engine.close()


def test_all_lists_every_key_oldest_first(any_engine: Engine) -> None:
    first = _insert(any_engine, key_hash="a" * 64, role="admin")
    second = _insert(any_engine, key_hash="b" * 64, role="analyst")
    any_engine.store.keys.revoke(first, T1)
    records = any_engine.store.keys.all()
    assert [(r.key_id, r.role, r.revoked_at) for r in records] == [
        (first, "admin", T1),
        (second, "analyst", None),
    ]
