"""Connecting to the database and bringing its schema up to date."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine as SAEngine
from sqlalchemy import create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from kunde.errors import ConfigurationError, StoreUnavailableError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["connect", "is_sqlite", "migrate", "schema_is_current"]

_MIGRATIONS = Path(__file__).parent / "migrations"


def is_sqlite(engine: SAEngine) -> bool:
    """Whether the engine talks to SQLite (some bulk paths differ per dialect)."""
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the API read while an import writes; NORMAL is durable at each checkpoint
    # and is the setting SQLite recommends with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    # Erased personal data must not survive in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def connect(url: str) -> SAEngine:
    """Create an SQLAlchemy engine for ``url`` with kunde's connection settings.

    Raises:
        ConfigurationError: the URL names a database kunde does not support.
    """
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            engine = create_engine(
                "sqlite://",
                poolclass=StaticPool,
                connect_args={"check_same_thread": False},
            )
        else:
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    raise ConfigurationError(
        f"KUNDE_DATABASE_URL must start with sqlite:// or postgresql+psycopg://, not {url!r}."
    )


def _alembic_config(engine: SAEngine) -> Config:
    # Alembic is imported here, not at the top: commands that do not migrate start faster.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: SAEngine) -> None:
    """Bring the schema to the newest migration (creates all tables on a new database)."""
    from alembic import command

    try:
        command.upgrade(_alembic_config(engine), "head")
    except OperationalError as exc:
        raise StoreUnavailableError(f"The database cannot be reached: {exc.orig}") from exc


@cache
def _head_revision() -> str | None:
    # Reading the migration scripts takes milliseconds; they do not change while kunde runs,
    # and /healthz asks on every probe.
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def schema_is_current(engine: SAEngine) -> bool:
    """Whether the database's schema is at the newest migration."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current == _head_revision()
