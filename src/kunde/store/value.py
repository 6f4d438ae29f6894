"""Per-customer-day rows for the value models, read in one set-based query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Engine as SAEngine
from sqlalchemy import select

from kunde.store.tables import data_versions

__all__ = ["BUMP_CUSTOMER_DAYS_VERSION", "CustomerDays", "ValueRepository"]

BUMP_CUSTOMER_DAYS_VERSION = (
    "INSERT INTO data_versions (name, version) VALUES ('customer_days', 1) "
    "ON CONFLICT (name) DO UPDATE SET version = data_versions.version + 1"
)
"""Run in the transaction of every write to ``customer_days`` (an upsert: the row may be missing).

The row lock it takes also orders concurrent writers, so a reader that sees version n sees
every change counted up to n."""


@dataclass(frozen=True)
class CustomerDays:
    """The ``customer_days`` rows as aligned arrays (rows in no particular order).

    Attributes:
        customer_ids: distinct customer ids, sorted; ``customer`` indexes into this array.
        customer: customer index per row.
        day: day per row (days since 1970-01-01).
        purchased: sum of purchase line totals of the day.
        returned: sum of return line totals of the day (<= 0).
        purchase_lines: purchase lines of the day (> 0 on purchase days).
    """

    customer_ids: npt.NDArray[np.object_]
    customer: npt.NDArray[np.int64]
    day: npt.NDArray[np.int64]
    purchased: npt.NDArray[np.float64]
    returned: npt.NDArray[np.float64]
    purchase_lines: npt.NDArray[np.int64]


class ValueRepository:
    """Reads what the value models are fitted on (the import path keeps it up to date)."""

    def __init__(self, db: SAEngine) -> None:
        self._db = db

    def data_version(self) -> int:
        """The ``customer_days`` counter: changes whenever orders, returns or imports add days."""
        query = select(data_versions.c.version).where(data_versions.c.name == "customer_days")
        with self._db.connect() as conn:
            version = conn.execute(query).scalar_one_or_none()
        return int(version or 0)

    def customer_days(self, as_of: date | None = None) -> CustomerDays:
        """All per-customer-day rows, optionally only days up to ``as_of`` (inclusive).

        PostgreSQL sends the rows as CSV through ``COPY ... TO STDOUT``, parsed by Arrow;
        SQLite's come as plain driver tuples, days as text parsed by Arrow (3x faster than
        SQLAlchemy's typed rows).
        """
        sql = (
            "SELECT customer_id, day, purchased, returned, purchase_lines FROM customer_days"
            + ("" if as_of is None else f" WHERE day <= '{as_of.isoformat()}'")  # a date: safe
        )
        table = self._read_arrow(sql)
        if table.num_rows == 0:
            empty_i = np.zeros(0, dtype=np.int64)
            return CustomerDays(
                customer_ids=np.zeros(0, dtype=object),
                customer=empty_i,
                day=empty_i,
                purchased=np.zeros(0),
                returned=np.zeros(0),
                purchase_lines=empty_i.copy(),
            )
        encoded = pc.dictionary_encode(table.column("customer_id")).combine_chunks()
        names = encoded.dictionary
        order = pc.array_sort_indices(names).to_numpy()  # customer indexes follow sorted ids
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        days = pc.cast(pc.cast(table.column("day"), pa.date32()), pa.int32())
        return CustomerDays(
            customer_ids=names.take(pa.array(order)).to_numpy(zero_copy_only=False),
            customer=rank[encoded.indices.to_numpy()],
            day=days.to_numpy().astype(np.int64),
            purchased=_floats(table.column("purchased")),
            returned=_floats(table.column("returned")),
            purchase_lines=table.column("purchase_lines").to_numpy().astype(np.int64),
        )

    def _read_arrow(self, sql: str) -> pa.Table:
        if self._db.dialect.name == "postgresql":
            buffer = bytearray()
            with self._db.connect() as conn:
                dbapi = conn.connection.driver_connection
                assert dbapi is not None
                with (
                    dbapi.cursor() as cursor,
                    cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)") as copy,
                ):
                    for block in copy:
                        buffer += block
            return pacsv.read_csv(
                pa.BufferReader(bytes(buffer)),
                convert_options=pacsv.ConvertOptions(column_types=_COLUMNS),
            )
        # SQLite: plain driver tuples, no per-value type processing (ADBC's own SQLite library
        # must not share the process with Python's: SQLite's POSIX locks are per process)
        with self._db.connect() as conn:
            dbapi = conn.connection.driver_connection
            assert dbapi is not None
            rows = dbapi.execute(sql).fetchall()  # SQLAlchemy's row objects would double it
        columns: list[Any] = list(zip(*rows, strict=True)) if rows else [()] * len(_COLUMNS)
        return pa.table(
            {
                name: pa.array(col, type=kind)
                for (name, kind), col in zip(_COLUMNS.items(), columns, strict=True)
            }
        )


_COLUMNS = {
    "customer_id": pa.string(),
    "day": pa.string(),
    "purchased": pa.float64(),
    "returned": pa.float64(),
    "purchase_lines": pa.int64(),
}


def _floats(column: pa.ChunkedArray) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = column.to_numpy().astype(np.float64)
    return out
