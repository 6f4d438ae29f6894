"""Running a repository call inside the caller's transaction or a new one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

__all__ = ["transaction"]


@contextmanager
def transaction(db: SAEngine, conn: Connection | None) -> Iterator[Connection]:
    """``conn`` when given (the caller commits), otherwise a new transaction on ``db``.

    Lets the engine write a change and its audit entry in one transaction.
    """
    if conn is not None:
        yield conn
        return
    with db.begin() as own:
        yield own
