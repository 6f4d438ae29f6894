"""The customer's rights in the database: reading everything about one customer, and erasure.

Erasure covers every table: the tables with special rules are listed in
:data:`ERASURE_RULES`; every other table loses each row that names the customer in a
``customer_id`` column or any ``*_customer_id`` column (``merged_customer_id``,
``surviving_customer_id``, ...), with everything else the row holds. A table without such a
column but with a column that looks like personal data (see :data:`PERSONAL_COLUMN`) must get a
rule, or erasure refuses to run (:func:`uncovered_columns`; a test fails first), so that tables
added later cannot be forgotten.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import (
    Connection,
    MetaData,
    Table,
    Text,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy import Engine as SAEngine

from kunde.errors import ConfigurationError
from kunde.orders import EVENT_FIELDS
from kunde.privacy import redact, retained_until
from kunde.store.database import is_sqlite
from kunde.store.tables import (
    audit_entries,
    customers,
    erasures,
    events,
    identifiers,
    metadata,
    order_lines,
    orders,
    products,
)
from kunde.store.value import BUMP_CUSTOMER_DAYS_VERSION

__all__ = [
    "ERASURE_RULES",
    "PERSONAL_COLUMN",
    "ErasedRows",
    "RightsRepository",
    "uncovered_columns",
]

PERSONAL_COLUMN = re.compile(
    r"customer|e_?mail|phone|anonymous|device|given_name|family_name|address|birth|ip_addr"
)
"""Column names that (may) hold personal data or point to a customer."""

ERASURE_RULES: Mapping[str, str] = {
    "customers": "deleted",
    "events": "deleted: the customer's own and those under their anonymous ids",
    "orders": "past retention deleted, the rest pseudonymised (bookkeeping)",
    "order_lines": "past retention deleted, the rest pseudonymised (bookkeeping)",
    "audit_entries": "pseudonymised; identifiers in reasons replaced",
    "erasures": "kept: the register holds a keyed digest, never an id",
}
"""Tables whose erasure is not simply "delete the rows with the customer_id"."""

_BUSY_TIMEOUT_MS = 30_000  # the connections' own (store/database.py)
_BATCH = 5_000  # rows per fetch when streaming an export
_ID_COLUMN = re.compile(r"(?:^|_)customer_id$")


def _id_columns(table: Table) -> list[Any]:
    return [c for c in table.columns if _ID_COLUMN.search(c.name)]


def uncovered_columns(schema: MetaData = metadata) -> list[str]:
    """``table.column`` of every personal-looking column erasure would miss: those of tables
    without a rule and without a customer id column to find the customer's rows by."""
    return [
        f"{table.name}.{column.name}"
        for table in schema.sorted_tables
        if table.name not in ERASURE_RULES and not _id_columns(table)
        for column in table.columns
        if PERSONAL_COLUMN.search(column.name)
    ]


def _generic_tables() -> list[Table]:
    return [
        table
        for table in metadata.sorted_tables
        if table.name not in ERASURE_RULES and _id_columns(table)
    ]


def _names(table: Table, customer_id: str) -> Any:
    """The rows of ``table`` that name the customer in any of its customer id columns."""
    return or_(*(column == customer_id for column in _id_columns(table)))


@dataclass
class ErasedRows:
    """What an erasure did in the database."""

    pseudonym: str
    rows: dict[str, int] = field(default_factory=dict)
    """Rows deleted or pseudonymised per table."""
    identifiers: list[str] = field(default_factory=list)
    """The customer's identifying values (id, e-mail, phone, names, addresses, identifiers),
    for scrubbing files; never stored."""


class RightsRepository:
    """Reads one customer's data for an export or inference, and erases a customer.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db

    # --- reading ----------------------------------------------------------------------------

    def is_known(self, customer_id: str) -> bool:
        """Whether any table holds a row of the customer."""
        tables = [*_generic_tables(), customers, orders, events]
        with self._db.connect() as conn:
            return any(
                conn.execute(
                    select(1).select_from(t).where(_names(t, customer_id)).limit(1)
                ).first()
                is not None
                for t in tables
            )

    def _events_of(self, customer_id: str) -> Any:
        anonymous = select(identifiers.c.value).where(
            identifiers.c.customer_id == customer_id, identifiers.c.kind == "anonymous_id"
        )
        return or_(events.c.customer_id == customer_id, events.c.anonymous_id.in_(anonymous))

    def _stream(self, query: Any) -> Iterator[pa.Table]:
        with self._db.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=_BATCH).execute(query)
            names = list(result.keys())
            for part in result.partitions(_BATCH):
                columns = zip(*part, strict=True)
                yield pa.table({n: pa.array(list(c)) for n, c in zip(names, columns, strict=True)})

    def order_lines(self, customer_id: str) -> Iterator[pa.Table]:
        """The customer's order lines with their product's name, in batches, oldest first."""
        line = order_lines.c
        query = (
            select(
                line.order_id,
                line.ordered_at,
                line.product_id,
                products.c.name.label("product_name"),
                line.quantity,
                line.unit_price,
                line.amount,
                line.currency,
                line.channel,
                line.store_id,
                line.is_gift,
                line.kind,
                line.returned_quantity,
            )
            .select_from(order_lines.outerjoin(products, products.c.product_id == line.product_id))
            .where(line.customer_id == customer_id)
            .order_by(line.ordered_at, line.order_id, line.line_key)
        )
        return self._stream(query)

    def events(self, customer_id: str) -> Iterator[pa.Table]:
        """The customer's events (own and under their anonymous ids), in batches, oldest first;
        ``properties`` as JSON text."""
        columns = [
            cast(events.c[n], Text).label(n) if n == "properties" else events.c[n]
            for n in EVENT_FIELDS
        ]
        query = (
            select(*columns)
            .where(self._events_of(customer_id))
            .order_by(events.c.occurred_at, events.c.event_id)
        )
        return self._stream(query)

    def purchase_lines(self, customer_id: str) -> list[tuple[str, datetime, bool, str | None]]:
        """``(product_id, ordered_at, is_gift, category)`` of the customer's product purchases."""
        line = order_lines.c
        query = (
            select(line.product_id, line.ordered_at, line.is_gift, products.c.category)
            .select_from(order_lines.outerjoin(products, products.c.product_id == line.product_id))
            .where(
                line.customer_id == customer_id,
                line.kind == "product",
                line.quantity > 0,
                line.product_id.is_not(None),
            )
        )
        with self._db.connect() as conn:
            return [tuple(row) for row in conn.execute(query).all()]  # type: ignore[misc]

    def register(self) -> frozenset[str]:
        """The digests of every erased customer (see :mod:`kunde.privacy`)."""
        with self._db.connect() as conn:
            return frozenset(conn.execute(select(erasures.c.subject_digest)).scalars())

    def is_erased(self, subject_digest: str) -> bool:
        """Whether the register holds ``subject_digest`` (one indexed look-up)."""
        return bool(self.erased_among([subject_digest]))

    def erased_among(self, subject_digests: Sequence[str]) -> set[str]:
        """Which of ``subject_digests`` the register holds (one indexed query per 500)."""
        wanted = sorted(set(subject_digests))
        found: set[str] = set()
        with self._db.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = select(erasures.c.subject_digest).where(
                    erasures.c.subject_digest.in_(chunk)
                )
                found.update(conn.execute(query).scalars())
        return found

    # --- erasure ----------------------------------------------------------------------------

    def _identifying_values(self, conn: Connection, customer_id: str) -> list[str]:
        values = [customer_id]
        row = conn.execute(select(customers).where(customers.c.customer_id == customer_id)).first()
        if row is not None:
            profile = row._mapping
            for name in ("given_name", "family_name", "email", "phone"):
                if profile[name]:
                    values.append(str(profile[name]))
            if profile["given_name"] and profile["family_name"]:
                values.append(f"{profile['given_name']} {profile['family_name']}")
            for address in profile["addresses"] or []:
                values.extend(str(address[k]) for k in ("name", "street") if address.get(k))
        ids: Any = conn.execute(
            select(identifiers.c.value).where(identifiers.c.customer_id == customer_id)
        ).scalars()
        values.extend(str(v) for v in ids)
        return list(dict.fromkeys(v for v in values if v.strip()))

    def erase(
        self,
        customer_id: str,
        *,
        pseudonym: str,
        subject_digest: str,
        now: datetime,
        retention_cutoff: datetime,
        retention_years: int,
    ) -> ErasedRows:
        """Remove the customer from every table in one transaction (see the module docstring).

        Order lines (and orders) from before ``retention_cutoff`` are deleted; later ones are
        kept under ``pseudonym`` until the end of their year plus ``retention_years``.

        Raises:
            ConfigurationError: a table has personal-looking columns no erasure rule covers.
        """
        missing = uncovered_columns()
        if missing:
            raise ConfigurationError(
                "erasure does not know how to erase these columns, so it refuses to run: "
                + ", ".join(missing)
                + " (add a rule in kunde.store.rights.ERASURE_RULES)"
            )
        result = ErasedRows(pseudonym=pseudonym)
        rows = result.rows
        with self._db.begin() as conn:
            if is_sqlite(self._db):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            result.identifiers = self._identifying_values(conn, customer_id)
            rows["events"] = conn.execute(
                delete(events).where(self._events_of(customer_id))
            ).rowcount
            latest = None
            for table in (order_lines, orders):
                mine = table.c.customer_id == customer_id
                old = conn.execute(delete(table).where(mine, table.c.ordered_at < retention_cutoff))
                if table is order_lines:
                    latest = conn.execute(select(func.max(table.c.ordered_at)).where(mine)).scalar()
                kept = conn.execute(update(table).where(mine).values(customer_id=pseudonym))
                rows[table.name] = old.rowcount + kept.rowcount
            rows["audit_entries"] = self._pseudonymise_audit(
                conn, customer_id, pseudonym, result.identifiers
            )
            for table in _generic_tables():
                deleted = conn.execute(delete(table).where(_names(table, customer_id)))
                rows[table.name] = deleted.rowcount
            rows["customers"] = conn.execute(
                delete(customers).where(customers.c.customer_id == customer_id)
            ).rowcount
            conn.exec_driver_sql(BUMP_CUSTOMER_DAYS_VERSION)  # cached value scores are stale
            keep_until = retained_until(latest, retention_years)
            conn.execute(
                insert(erasures).values(
                    subject_digest=subject_digest,
                    pseudonym=pseudonym,
                    erased_at=now,
                    retain_until=keep_until,
                )
            )
        return result

    def _pseudonymise_audit(
        self, conn: Connection, customer_id: str, pseudonym: str, values: Sequence[str]
    ) -> int:
        a = audit_entries.c
        reasons = conn.execute(
            select(a.entry_id, a.reason).where(a.customer_id == customer_id, a.reason.is_not(None))
        ).all()
        for entry_id, reason in reasons:
            cleaned = redact(str(reason), values)
            if cleaned != reason:
                conn.execute(
                    update(audit_entries).where(a.entry_id == entry_id).values(reason=cleaned)
                )
        return conn.execute(
            update(audit_entries).where(a.customer_id == customer_id).values(customer_id=pseudonym)
        ).rowcount

    def purge_expired(self, today: date) -> int:
        """Delete kept order lines and orders of erased customers past their retention."""
        expired = select(erasures.c.pseudonym).where(erasures.c.retain_until < today)
        with self._db.begin() as conn:
            lines = conn.execute(delete(order_lines).where(order_lines.c.customer_id.in_(expired)))
            conn.execute(delete(orders).where(orders.c.customer_id.in_(expired)))
        return int(lines.rowcount)

    def scrub_free_space(self, *, vacuum: bool = False, tries: int = 10) -> bool:
        """SQLite: move the WAL into the database file and empty it, so that no old page image
        of erased rows survives there (deleted cells and free pages are zeroed by
        ``secure_delete``); ``vacuum`` also rebuilds the file. PostgreSQL: nothing (see
        docs/DESIGN.md on VACUUM).

        Each try waits at most 0.2 s for readers (not the connections' 30 s busy timeout: a
        reader that keeps its transaction open would otherwise hold the erasure for minutes).

        Args:
            tries: checkpoint attempts, with growing pauses between them.

        Returns:
            Whether the WAL was emptied (``False``: a reader kept it busy for every try).
        """
        if not is_sqlite(self._db):
            return True
        with self._db.connect() as conn:
            if vacuum:
                conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA busy_timeout=200")
            try:
                for attempt in range(tries):
                    busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
                    if busy is not None and busy[0] == 0:
                        return True
                    time.sleep(0.05 * (attempt + 1))
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        return False
