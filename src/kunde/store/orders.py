"""Order lines in, per-customer purchase summaries kept current — set-based, one batch at a time.

:meth:`OrderRepository.ingest` stores one batch of normalised lines (see
:mod:`kunde.orders`) in one transaction:

1. find the new lines: SQLite (under its write lock) looks the batch's ``line_key`` s up and
   binds the others straight into ``order_lines`` through the driver's ``executemany``;
   PostgreSQL ``COPY`` s the batch into a staging table and inserts it with
   ``ON CONFLICT DO NOTHING RETURNING line_key``; a bulk load into an empty store finds
   duplicates of its earlier batches in memory instead (:class:`LoadedKeys`). SQLite stores
   lines in the order they arrive (the rowid), ``line_key`` being unique through an index;
2. insert the orders, customers and products that are missing (on PostgreSQL with a ``check``
   the orders first, in ``order_id`` order: concurrent batches with the same orders wait for
   each other there instead of both counting the same lines as new);
3. link returns (negative quantity) to the latest earlier purchase of the same product by the
   same customer (``return_of``) and add the returned units to that line's
   ``returned_quantity`` (capped at its quantity); file imports do this once at the end;
4. add the new lines, summed per customer and day in Arrow, to ``customer_days`` and recompute
   ``customer_summaries`` for the touched customers only, so that value models never rescan
   all lines.

Durability is SQLite's WAL with ``synchronous=NORMAL`` (see :mod:`kunde.store.database`): a
committed batch is in the WAL, in the operating system's hands, before ``ingest`` returns, so a
killed process loses no committed batch and an import run again stores only the rest; a power
cut may lose the last batches committed before it (never half a batch), which the next import
stores again.

Purchase summaries count ``product`` lines (and order-level rows) only: postage, fees and
adjustments are stored but are not goods bought, so they do not make a purchase day and do not
count toward ``net_revenue`` (purchases plus returns, returns being negative).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, func, select, update
from sqlalchemy import Engine as SAEngine
from sqlalchemy.exc import IntegrityError

from kunde.store._batch import STAGE_COLUMNS, BatchWriter
from kunde.store._loaded import InterleavedError, LoadedKeys
from kunde.store._prepared import PreparedLines
from kunde.store._returns import link_returns
from kunde.store.database import is_sqlite
from kunde.store.tables import customer_summaries, import_runs, order_lines, orders

__all__ = ["STAGE_COLUMNS", "LoadedKeys", "OrderRepository", "PreparedLines", "RunCounts"]

_KEY_INDEX = "ix_order_lines_line_key"
"""SQLite: the unique index on ``line_key`` (its rowid orders lines by arrival; migration 0011)."""


@dataclass(frozen=True)
class RunCounts:
    """What an import run did."""

    read: int
    imported: int
    rejected: int
    duplicates: int
    reject_file: str | None


class OrderRepository:
    """Reads and writes orders, order lines and purchase summaries.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db
        self._sqlite = is_sqlite(db)
        self._batch = BatchWriter(self._sqlite)

    # --- ingest -----------------------------------------------------------------------------

    def prepare(self, lines: pa.Table) -> PreparedLines:
        """``lines`` made ready for :meth:`ingest` without the database (SQLite: the values
        each line binds), so that a file import does this while it stores the previous batch."""
        return PreparedLines.of(lines, self._sqlite, bulk=True)

    def ingest(
        self,
        lines: pa.Table | PreparedLines,
        products: Sequence[Mapping[str, Any]],
        *,
        source: str,
        now: datetime,
        check: Callable[[Connection], None] | None = None,
        match_returns: bool = True,
        loaded: LoadedKeys | None = None,
    ) -> int:
        """Store a batch of distinct lines in one transaction.

        Args:
            lines: normalised lines with :data:`STAGE_COLUMNS`, distinct ``line_key`` s, in
                the order they arrived (SQLite stores them in this order); or those lines
                made ready by :meth:`prepare`.
            products: product rows (``product_id``, ``name``, ``category``, ``brand``,
                ``kind``) to insert when missing; names fill in missing names only.
            source: ``'import'`` or ``'api'`` (recorded on new orders).
            now: the time recorded on new rows.
            check: runs before any line is written, holding SQLite's write lock or, on
                PostgreSQL, the row locks of the batch's orders (a concurrent batch with some
                of the same orders has ended, and what it stored is seen); an exception it
                raises leaves everything unwritten.
            match_returns: link the batch's returns to their purchases now (file imports
                call :meth:`match_returns` once at the end instead).
            loaded: the keys stored so far by a bulk load into an empty store
                (:meth:`bulk_load`); the batch's new lines are found in memory and inserted
                unchecked. Should another writer have stored lines meanwhile (SQLite: any line;
                PostgreSQL: one of the batch's), the batch and the rest of the load are stored
                the checked way. The batch's keys are added once it is committed.

        Returns:
            How many lines were new (the rest were stored before).
        """
        if loaded is not None and not loaded.interrupted:
            if check is not None:
                raise ValueError("a bulk load takes no check")
            dbapi = self._db.dialect.dbapi
            conflicts: tuple[type[Exception], ...] = (IntegrityError, InterleavedError)
            if dbapi is not None:
                conflicts += (dbapi.IntegrityError,)
            try:
                count = self._ingest(lines, products, source, now, None, match_returns, loaded)
            except conflicts:
                # Someone else stores lines too: this batch and the rest go the checked way,
                # which needs the key index (SQLite builds it now, with the others).
                loaded.interrupted = True
                self.ensure_indexes()
                return self._ingest(lines, products, source, now, None, match_returns, None)
            staged = lines if isinstance(lines, pa.Table) else lines.lines
            loaded.add(staged.column("line_key").to_numpy())
            return count
        return self._ingest(lines, products, source, now, check, match_returns, None)

    def _ingest(
        self,
        lines: pa.Table | PreparedLines,
        products: Sequence[Mapping[str, Any]],
        source: str,
        now: datetime,
        check: Callable[[Connection], None] | None,
        match_returns: bool,
        loaded: LoadedKeys | None,
    ) -> int:
        if isinstance(lines, pa.Table):
            lines = self.prepare(lines)
        with self._db.begin() as conn:
            if self._sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            # With a ``check`` on PostgreSQL the order rows come first: a concurrent batch with
            # the same orders waits here until this one ends, so ``check`` sees its lines.
            # Otherwise (SQLite's write lock, file imports) the orders follow the new lines only.
            orders_first = check is not None and not self._sqlite
            if orders_first:
                self._batch.orders(conn, lines.aggregates(), source, now)
            if check is not None:
                check(conn)
            new = self._batch.write(
                conn, lines, source=source, now=now, orders=not orders_first, loaded=loaded
            )
            if products:
                self._batch.products(conn, products, now)
            if match_returns:
                returns = new.filter(pc.less(new.column("quantity"), 0))
                if returns.num_rows:
                    link_returns(conn, returns.column("line_key").to_pylist())
            count: int = new.num_rows
            return count

    def match_returns(self, among: Sequence[int] | None = None) -> None:
        """Link every return not linked yet to the latest earlier purchase of the same product
        by the same customer, and add the returned units to that purchase (capped at its
        quantity). Returns without such a purchase stay unlinked and are tried again next time.

        Args:
            among: only the returns among these line keys (a bulk load into an empty store
                names the returns it stored; otherwise every line is read to find them).
        """
        with self._db.begin() as conn:
            if self._sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            link_returns(conn, among)

    @contextmanager
    def bulk_load(self) -> Iterator[LoadedKeys | None]:
        """Load many lines into an empty store faster.

        Yields:
            When the store had no order lines: the :class:`LoadedKeys` to pass to
            :meth:`ingest` with each batch; otherwise ``None``.

        Inside, the secondary indexes of ``order_lines`` (on SQLite also the unique index on
        ``line_key``) are dropped when the table is empty and built again at the end (one sort
        instead of a random insert per line and index). A run that is killed inside leaves them
        missing: :meth:`ensure_indexes` (called by every import) builds them again; until then
        the checked way still finds stored lines under the write lock, only slower.
        """
        with self._db.begin() as conn:
            if self._sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            dropped = conn.execute(select(order_lines.c.line_key).limit(1)).first() is None
            if dropped:
                for index in order_lines.indexes:
                    index.drop(conn, checkfirst=True)
                if self._sqlite:
                    conn.exec_driver_sql(f"DROP INDEX IF EXISTS {_KEY_INDEX}")
        try:
            yield LoadedKeys() if dropped else None
        finally:
            if dropped:
                self.ensure_indexes()

    def ensure_indexes(self) -> None:
        """Create the indexes of ``order_lines`` that are missing."""
        with self._db.begin() as conn:
            if self._sqlite:
                conn.exec_driver_sql("PRAGMA threads = 2")  # sort with a helper thread
                conn.exec_driver_sql(
                    f"CREATE UNIQUE INDEX IF NOT EXISTS {_KEY_INDEX} ON order_lines (line_key)"
                )
            for index in order_lines.indexes:
                index.create(conn, checkfirst=True)

    # --- reads ------------------------------------------------------------------------------

    def lines_of_orders(
        self, order_ids: Sequence[str], conn: Connection | None = None
    ) -> dict[str, set[int]]:
        """The stored line keys of each of ``order_ids`` that has lines."""
        if conn is None:
            with self._db.connect() as own:
                return self.lines_of_orders(order_ids, own)
        found: dict[str, set[int]] = {}
        for start in range(0, len(order_ids), 500):
            chunk = list(order_ids[start : start + 500])
            rows = conn.execute(
                select(order_lines.c.order_id, order_lines.c.line_key).where(
                    order_lines.c.order_id.in_(chunk)
                )
            )
            for row in rows:
                found.setdefault(str(row.order_id), set()).add(int(row.line_key))
        return found

    def customer_summary(self, customer_id: str) -> dict[str, Any] | None:
        """First and last purchase day, purchase days, net revenue and order count.

        Returns:
            ``None`` when the customer has no orders.
        """
        with self._db.connect() as conn:
            summary = conn.execute(
                select(
                    customer_summaries.c.first_purchase_day,
                    customer_summaries.c.last_purchase_day,
                    customer_summaries.c.purchase_days,
                    customer_summaries.c.net_revenue,
                ).where(customer_summaries.c.customer_id == customer_id)
            ).one_or_none()
            count = conn.execute(
                select(func.count()).select_from(orders).where(orders.c.customer_id == customer_id)
            ).scalar_one()
        if summary is None and not count:
            return None
        result: dict[str, Any] = {
            "first_purchase_day": None,
            "last_purchase_day": None,
            "purchase_days": 0,
            "net_revenue": 0.0,
        }
        if summary is not None:
            result.update(summary._mapping)
            result["net_revenue"] = round(float(result["net_revenue"]), 2)
        result["orders"] = int(count)
        return result

    # --- import runs ------------------------------------------------------------------------

    def start_run(self, kind: str, source: str, now: datetime) -> int:
        """Record the start of an import; returns the run id."""
        with self._db.begin() as conn:
            result = conn.execute(
                import_runs.insert()
                .values(kind=kind, source=source, started_at=now)
                .returning(import_runs.c.run_id)
            )
            return int(result.scalar_one())

    def finish_run(self, run_id: int, counts: RunCounts, now: datetime) -> None:
        """Record what an import did."""
        with self._db.begin() as conn:
            conn.execute(
                update(import_runs)
                .where(import_runs.c.run_id == run_id)
                .values(
                    finished_at=now,
                    read=counts.read,
                    imported=counts.imported,
                    rejected=counts.rejected,
                    duplicates=counts.duplicates,
                    reject_file=counts.reject_file,
                )
            )
