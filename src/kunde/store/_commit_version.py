"""A number that changes whenever anything was committed to an SQLite database file.

SQLite's ``PRAGMA data_version`` gives, on one connection, a value that changes when *another*
connection committed to the database since the last time it was asked (any process, and this
process's own pooled connections too); commits of the asking connection itself do not change
it. :class:`CommitVersion` asks on a connection of its own that never writes, so every commit
to the file, by anyone, changes the value. While it is unchanged, nothing was committed, and
what was read from the database before is still what the database holds.

The watching connection is opened on the first :meth:`CommitVersion.read` and kept. PostgreSQL
and in-memory SQLite (one connection per process, nobody else can see it) have no such number:
:meth:`~CommitVersion.read` answers ``None``, "unknown", and callers read afresh every time.
A connection that fails to open or to answer also gives ``None`` (correctness first).
"""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import Engine as SAEngine

__all__ = ["CommitVersion"]


class CommitVersion:
    """The commit counter of ``db`` (see the module); thread-safe.

    Args:
        db: the store's engine.
    """

    def __init__(self, db: SAEngine) -> None:
        database = db.url.database
        self._path: str | None = (
            database
            if db.dialect.name == "sqlite" and database not in (None, "", ":memory:")
            else None
        )
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    @property
    def known(self) -> bool:
        """Whether :meth:`read` can give a number here (SQLite files only)."""
        return self._path is not None

    def read(self) -> int | None:
        """The current value; ``None``: unknown (read the database afresh)."""
        if self._path is None:
            return None
        with self._lock:
            try:
                conn = self._conn
                if conn is None:
                    # autocommit: the PRAGMA must not leave a read transaction open
                    conn = sqlite3.connect(
                        self._path, check_same_thread=False, isolation_level=None, timeout=30
                    )
                    self._conn = conn
                row = conn.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error:
                self._drop()
                return None
        return int(row[0])

    def close(self) -> None:
        """Close the watching connection (a later :meth:`read` opens a new one)."""
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
