"""``kunde keys``: the real command line, run as a subprocess."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kunde.config import Settings
from kunde.engine import Engine
from kunde.errors import AuthenticationError

from .conftest import RunKunde


@pytest.fixture
def engine_at(sqlite_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on the same database the command line uses."""
    engine = Engine(Settings(database_url=sqlite_url, data_dir=tmp_path, environment="test"))
    yield engine
    engine.close()


def test_create_prints_only_the_key(
    kunde: RunKunde, sqlite_url: str, tmp_path: Path, engine_at: Engine
) -> None:
    done = kunde(
        ["keys", "create", "--role", "integration", "--name", "web shop"], sqlite_url, tmp_path
    )
    assert done.returncode == 0, done.stderr
    key = done.stdout.removesuffix("\n")
    assert "\n" not in key and key.startswith("kunde_")
    principal = engine_at.authenticate(key)
    assert principal.role == "integration"
    assert f"key {principal.key_id}" in done.stderr


def test_unknown_role_exits_2_with_one_sentence(
    kunde: RunKunde, sqlite_url: str, tmp_path: Path
) -> None:
    done = kunde(["keys", "create", "--role", "root"], sqlite_url, tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0
    assert "admin, staff, integration, analyst" in done.stderr


def test_revoke_stops_the_key(
    kunde: RunKunde, sqlite_url: str, tmp_path: Path, engine_at: Engine
) -> None:
    key = engine_at.create_key("staff")
    key_id = engine_at.authenticate(key).key_id
    done = kunde(["keys", "revoke", str(key_id)], sqlite_url, tmp_path)
    assert done.returncode == 0, done.stderr
    # A process that had not seen the key refuses it at once; one that authenticated it in the
    # last KEY_CACHE_SECONDS refuses it once that passed (tests/_engine/test_key_cache.py).
    other = Engine(Settings(database_url=sqlite_url, data_dir=tmp_path, environment="test"))
    try:
        with pytest.raises(AuthenticationError, match="revoked"):
            other.authenticate(key)
    finally:
        other.close()


def test_revoking_an_unknown_key_exits_2(kunde: RunKunde, sqlite_url: str, tmp_path: Path) -> None:
    done = kunde(["keys", "revoke", "77"], sqlite_url, tmp_path)
    assert done.returncode == 2
    assert "77" in done.stderr


def test_list_shows_keys_but_never_the_key(
    kunde: RunKunde, sqlite_url: str, tmp_path: Path, engine_at: Engine
) -> None:
    key = engine_at.create_key("analyst", "dashboard")
    done = kunde(["keys", "list", "--json"], sqlite_url, tmp_path)
    assert done.returncode == 0, done.stderr
    (listed,) = json.loads(done.stdout)
    assert (listed["role"], listed["name"], listed["prefix"]) == ("analyst", "dashboard", key[:12])
    assert key not in done.stdout
