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

__all__ = [
    "BUMP_CUSTOMER_DAYS_VERSION",
    "CustomerDays",
    "ProfileDays",
    "ValueRepository",
]

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


@dataclass(frozen=True)
class ProfileDays:
    """Per-profile aggregates of ``customer_days``, one entry per profile (merged customers are
    one profile, a day several of them bought on counts once).

    Days are day numbers (days since 1970-01-01); first and last are 0 without a purchase day.

    Attributes:
        customer_ids: profile ids, sorted.
        first_day: first purchase day.
        last_day: last purchase day.
        purchase_days: distinct purchase days (days with purchase lines).
        total: net value (purchases plus returns) of all days.
        after_first: net value of the days after the first purchase day.
        latest_day: the profile's latest day of any kind (purchase or return).
    """

    customer_ids: npt.NDArray[np.object_]
    first_day: npt.NDArray[np.int64]
    last_day: npt.NDArray[np.int64]
    purchase_days: npt.NDArray[np.int64]
    total: npt.NDArray[np.float64]
    after_first: npt.NDArray[np.float64]
    latest_day: npt.NDArray[np.int64]


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

    def profile_days(self, as_of: date | None = None) -> ProfileDays:
        """The per-profile aggregates of the days up to ``as_of`` (inclusive), in one query.

        The database groups the ~3 rows per customer into one (a window finds each profile's
        first purchase day); customers absorbed by an active merge are grouped under their
        profile's id (chains of merges followed by a recursive query).
        """
        with self._db.connect() as conn:
            merged = conn.exec_driver_sql(_ANY_MERGE).first() is not None
            sql = _profile_days_sql(self._db.dialect.name, as_of, merged)
            dbapi = conn.connection.driver_connection
            assert dbapi is not None
            cursor = dbapi.cursor()
            try:
                cursor.execute(sql)
                rows = cursor.fetchall()  # plain driver tuples: no per-value row objects
            finally:
                cursor.close()
        columns: list[Any] = list(zip(*rows, strict=True)) if rows else [()] * 7
        ids = np.array(columns[0], dtype=object)
        ints = [np.array(col, dtype=np.int64) for col in (columns[1], columns[2], columns[3])]
        floats = [np.array(col, dtype=np.float64) for col in (columns[4], columns[5])]
        latest = np.array(columns[6], dtype=np.int64)
        if ids.size > 1 and not bool(np.all(ids[1:] > ids[:-1])):  # PostgreSQL may hash
            order = np.argsort(ids.astype(str), kind="stable")
            ids, latest = ids[order], latest[order]
            ints = [a[order] for a in ints]
            floats = [a[order] for a in floats]
        return ProfileDays(
            customer_ids=ids,
            first_day=ints[0],
            last_day=ints[1],
            purchase_days=ints[2],
            total=floats[0],
            after_first=floats[1],
            latest_day=latest,
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


_ANY_MERGE = "SELECT 1 FROM customer_merges WHERE undone_at IS NULL LIMIT 1"

# each absorbed customer id with the root profile it belongs to (merges may chain)
_PROFILES = """WITH RECURSIVE profiles (absorbed, profile) AS (
    SELECT m.absorbed_customer_id, m.customer_id FROM customer_merges m
    WHERE m.undone_at IS NULL AND NOT EXISTS (
        SELECT 1 FROM customer_merges p
        WHERE p.absorbed_customer_id = m.customer_id AND p.undone_at IS NULL)
    UNION ALL
    SELECT m.absorbed_customer_id, r.profile FROM customer_merges m
    JOIN profiles r ON m.customer_id = r.absorbed WHERE m.undone_at IS NULL
)
"""


def _profile_days_sql(dialect: str, as_of: date | None, merged: bool) -> str:
    """One set-based query: rows (id, first, last, purchase days, total, after first, latest)."""
    where = "" if as_of is None else f" WHERE d.day <= '{as_of.isoformat()}'"  # a date: safe
    if merged:
        days = (
            "SELECT COALESCE(r.profile, d.customer_id) AS customer_id, d.day,"
            " SUM(d.purchased + d.returned) AS net, SUM(d.purchase_lines) AS lines"
            " FROM customer_days d LEFT JOIN profiles r ON r.absorbed = d.customer_id"
            f"{where} GROUP BY COALESCE(r.profile, d.customer_id), d.day"
        )
    else:
        days = (
            "SELECT d.customer_id, d.day, d.purchased + d.returned AS net,"
            f" d.purchase_lines AS lines FROM customer_days d{where}"
        )
    if dialect == "postgresql":

        def number(x: str) -> str:
            return f"COALESCE({x} - DATE '1970-01-01', 0)"
    else:

        def number(x: str) -> str:
            return f"COALESCE(CAST(julianday({x}) - 2440587.5 AS INTEGER), 0)"

    grouped = (
        "SELECT customer_id, MIN(first_day) AS first_day,"
        " MAX(CASE WHEN lines > 0 THEN day END) AS last_day,"
        " SUM(CASE WHEN lines > 0 THEN 1 ELSE 0 END) AS purchase_days,"
        " SUM(net) AS total,"
        " SUM(CASE WHEN day > first_day THEN net ELSE 0 END) AS after_first,"
        " MAX(day) AS latest_day"
        " FROM (SELECT customer_id, day, net, lines,"
        " MIN(CASE WHEN lines > 0 THEN day END) OVER (PARTITION BY customer_id) AS first_day"
        f" FROM ({days}) AS days) AS windowed GROUP BY customer_id"
    )
    return (
        (_PROFILES if merged else "")
        + f"SELECT customer_id, {number('first_day')}, {number('last_day')}, purchase_days,"
        f" total, after_first, {number('latest_day')} FROM ({grouped}) AS g ORDER BY customer_id"
    )
