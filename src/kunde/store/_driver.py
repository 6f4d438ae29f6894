"""Statements run many times through the database driver itself (no SQL built per row).

Private to :mod:`kunde.store`. SQLAlchemy's ``executemany`` builds a parameter dict per row; the
drivers' own ``executemany`` takes plain tuples, which is what bulk paths bind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray
from sqlalchemy import Connection

__all__ = ["executemany", "python_values", "time_text"]


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


def python_values(column: pa.ChunkedArray) -> NDArray[np.object_]:
    """The column's values as Python objects (``None`` for nulls), built in C.

    Text is dictionary-encoded first, so each distinct value is one Python string however
    often it occurs (order, customer and product ids repeat over many lines).
    """
    array = column.combine_chunks()
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        encoded = array.dictionary_encode()
        distinct = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last one: None
        distinct[:-1] = encoded.dictionary.to_pylist()
        indices = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy()
        values: NDArray[np.object_] = distinct[indices]
        return values
    if array.null_count == 0 and (
        pa.types.is_integer(array.type)
        or pa.types.is_floating(array.type)
        or pa.types.is_boolean(array.type)
    ):
        numbers: NDArray[np.object_] = array.to_numpy(zero_copy_only=False).astype(object)
        return numbers
    values = np.empty(len(array), dtype=object)
    values[:] = array.to_pylist()
    return values
