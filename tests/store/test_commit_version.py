"""The store's commit version: moves with every commit to an SQLite file, unknown elsewhere."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from kunde.store import Store


def _customer(store: Store, name: str) -> None:
    with store.db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO customers (customer_id, created_at, updated_at) VALUES (:c, :at, :at)"
            ),
            {"c": name, "at": "2026-01-01 00:00:00"},
        )


def test_every_commit_moves_the_version(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    first = store.commit_version()
    assert first is not None
    assert store.commit_version() == first  # nothing committed: the same

    _customer(store, "C-1")  # the store's own pooled connection
    own = store.commit_version()
    assert own is not None and own != first

    with store.db.connect() as conn:  # reads move nothing
        conn.execute(text("SELECT COUNT(*) FROM customers")).scalar_one()
    assert store.commit_version() == own

    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))  # another connection
    other.execute(
        "INSERT INTO customers (customer_id, created_at, updated_at) "
        "VALUES ('C-2', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
    )
    assert store.commit_version() == own  # not committed yet
    other.commit()
    other.close()
    by_other = store.commit_version()
    assert by_other is not None and by_other != own

    second = Store(sqlite_url)  # another store (as another worker process has)
    _customer(second, "C-3")
    second.close()
    assert store.commit_version() not in (None, by_other)
    store.close()


def test_a_closed_store_opens_its_watcher_again(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    assert store.commit_version() is not None
    store.close()
    assert store.commit_version() is not None
    store.close()


def test_in_memory_sqlite_has_no_version() -> None:
    store = Store("sqlite://")
    assert store.commit_version() is None
    store.close()


def test_a_missing_directory_gives_no_version(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'absent' / 'kunde.db'}")
    assert store.commit_version() is None
    store.close()


@pytest.mark.postgres
def test_postgresql_has_no_version(postgres_url: str) -> None:
    store = Store(postgres_url)
    assert store.commit_version() is None
    _customer(store, "C-1")
    assert store.commit_version() is None
    store.close()
