"""Statements run many times through the database driver itself (no SQL built per row).

Private to :mod:`kunde.store`. SQLAlchemy's ``executemany`` builds a parameter dict per row; the
drivers' own ``executemany`` takes plain tuples, which is what bulk paths bind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

__all__ = ["executemany", "time_text"]


def executemany(conn: Connection, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run a ``?``-parameter statement once per row of ``rows`` inside ``conn``'s transaction.

    SQLite also takes numbered ``?N`` parameters; PostgreSQL gets ``%s`` for each ``?``.
    """
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    if conn.dialect.name == "sqlite":
        dbapi.executemany(statement, rows)
        return
    with dbapi.cursor() as cursor:
        cursor.executemany(statement.replace("?", "%s"), list(rows))


def time_text(now: datetime) -> str:
    """``now`` as SQLAlchemy stores it on SQLite (PostgreSQL parses the same text)."""
    return now.strftime("%Y-%m-%d %H:%M:%S.%f")
