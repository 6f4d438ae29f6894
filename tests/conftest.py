"""Shared fixtures: seeded rng, engines on SQLite and PostgreSQL.

PostgreSQL tests use the server named by ``KUNDE_TEST_POSTGRES_URL`` (default: the project's
machines' server on 127.0.0.1:5432). Without a reachable server they are skipped with a message,
unless ``KUNDE_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), where they fail instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from kunde.config import Settings
from kunde.engine import Engine
from kunde.store import connect, migrate
from kunde.store.tables import metadata

PG_URL = os.environ.get(
    "KUNDE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("KUNDE_REQUIRE_POSTGRES") == "1"


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator, so that every test run sees the same numbers."""
    return np.random.default_rng(20261123)


# --- SQLite -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = connect(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """URL of a fresh, migrated SQLite database file."""
    path = tmp_path / "kunde.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_unavailable(reason: str) -> None:
    message = (
        f"PostgreSQL at {PG_URL} is not reachable ({reason}); the PostgreSQL store tests "
        "need it. Set KUNDE_TEST_POSTGRES_URL to a server where this user may create databases."
    )
    if REQUIRE_PG:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[str]:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"kunde_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any connection failure means: no usable server
        admin.dispose()
        _pg_unavailable(str(exc).splitlines()[0])
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    engine = connect(url)
    migrate(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(_pg_database: str) -> Iterator[str]:
    """URL of a migrated PostgreSQL database, emptied before each test."""
    engine = create_engine(_pg_database)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield _pg_database


# --- engines ------------------------------------------------------------------------------


def _engine(url: str, data_dir: Path) -> Engine:
    settings = Settings(database_url=url, data_dir=data_dir, environment="test")
    engine = Engine(settings)
    engine.init()
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on each supported database: contract tests run once per implementation."""
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_url")
    else:
        url = request.getfixturevalue("postgres_url")
    engine = _engine(url, tmp_path / "data")
    yield engine
    engine.close()


@pytest.fixture
def engine(sqlite_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh SQLite database (for tests that are not about the store)."""
    engine = _engine(sqlite_url, tmp_path / "data")
    yield engine
    engine.close()


# --- a trained demo shop (recommendations) ----------------------------------------------------

DEMO_CUSTOMERS = 400


@pytest.fixture(scope="session")
def _trained_demo(_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo shop (seed 7, 400 customers), imported and trained once per test session."""
    directory = tmp_path_factory.mktemp("trained-demo")
    shutil.copy(_sqlite_template, directory / "kunde.db")
    engine = _engine(f"sqlite:///{directory / 'kunde.db'}", directory / "data")
    engine.build_demo(seed=7, customers=DEMO_CUSTOMERS)
    with engine.store.db.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.close()
    return directory


@pytest.fixture
def demo_engine(_trained_demo: Path, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a private copy of the trained demo shop (database and model files)."""
    shutil.copy(_trained_demo / "kunde.db", tmp_path / "kunde.db")
    shutil.copytree(_trained_demo / "data", tmp_path / "data")
    engine = _engine(f"sqlite:///{tmp_path / 'kunde.db'}", tmp_path / "data")
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def cdnow_orders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CDNOW sample (tests/value/fixtures) as a canonical order-line file, one line each."""
    raw = np.loadtxt(Path(__file__).parent / "value" / "fixtures" / "CDNOW_sample.txt", dtype=str)
    lines = ["order_id,customer_id,ordered_at,product_id,quantity,amount"]
    for i, (_, customer, day, cds, value) in enumerate(raw):
        stamp = f"{day[:4]}-{day[4:6]}-{day[6:]}T12:00:00"
        lines.append(f"o{i},c{customer},{stamp},cd,{cds},{value}")
    path = tmp_path_factory.mktemp("cdnow") / "cdnow_orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
