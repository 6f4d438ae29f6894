"""Persistence: SQLAlchemy tables, repositories and Alembic migrations.

:class:`Store` is the one object the engine holds; it owns the database connection and exposes
one repository per domain concept. Every repository runs on SQLite and PostgreSQL alike and is
covered by the shared contract suite in ``tests/store``.
"""

from __future__ import annotations

from kunde.store._store import Store
from kunde.store.database import connect, is_sqlite, migrate, schema_is_current

__all__ = ["Store", "connect", "is_sqlite", "migrate", "schema_is_current"]
