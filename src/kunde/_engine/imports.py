"""Getting data in from files: orders, products and events, batch by batch.

A file import reads a file in batches, normalises each batch (:mod:`kunde.orders`), writes
rejects to a CSV under ``KUNDE_DATA_DIR/rejects`` and stores each batch in its own transaction.
Everything that can make a file unreadable is checked before the first batch is stored, so an
unreadable file writes nothing. A run that is killed midway keeps the batches it committed;
importing the file again stores the rest and counts the committed lines as duplicates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from queue import Full, Queue
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from sqlalchemy.exc import OperationalError, ProgrammingError

from kunde._engine.erased_guard import ErasedGuard, refuse_erased_lines, refuse_erased_records
from kunde._engine.import_products import ProductsSent, product_table
from kunde.config import Settings
from kunde.errors import ConfigurationError, InputError
from kunde.orders import (
    EVENT_FIELDS,
    FORMATS,
    ORDER_FIELDS,
    PRODUCT_FIELDS,
    ImportSummary,
    Lines,
    RawBatch,
    Records,
    RejectFile,
    SourceFile,
    normalise_events,
    normalise_lines,
    normalise_products,
    resolve_columns,
)
from kunde.store import Store
from kunde.store.orders import LoadedKeys, PreparedLines, RunCounts

__all__ = [
    "distinct_lines",
    "import_events",
    "import_orders",
    "import_products",
    "now",
    "returns_of",
]

_T = TypeVar("_T")


def now() -> datetime:
    """The current UTC time without time zone, as kunde stores times."""
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def _progress(enabled: bool, source: SourceFile) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr (when enabled) and the function that advances it."""
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    with Progress(
        TextColumn(f"importing {source.path.name}"),
        BarColumn(),
        TaskProgressColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("import", total=1.0)
        yield lambda: bar.update(task, completed=source.fraction_read())


class _Run:
    """Counts and reject file of one file import."""

    def __init__(self, store: Store, settings: Settings, kind: str, source: SourceFile) -> None:
        self.store = store
        self.kind = kind
        self.source = source
        self.rejects = RejectFile(settings.data_dir / "rejects", source.path, source.header)
        self.read = self.imported = self.duplicates = 0
        self.run_id: int | None = None
        self.loaded: LoadedKeys | None = None
        """Set while order lines go into a store that had none (a bulk load)."""

    def batches(self, batches: Iterator[_T]) -> Iterator[_T]:
        """The file's batches; the run is recorded once the first batch has been read.

        Order lines going into an empty store are bulk-loaded (see
        :meth:`~kunde.store.orders.OrderRepository.bulk_load`).
        """
        first = next(batches, None)
        if first is None:
            return
        try:
            self.run_id = self.store.orders.start_run(
                self.kind, str(self.source.path.resolve()), now()
            )
        except (OperationalError, ProgrammingError) as exc:
            raise ConfigurationError(
                "The database has no kunde tables yet; run 'kunde init' first."
            ) from exc
        if self.kind != "orders":
            yield first
            yield from batches
            return
        self.store.orders.ensure_indexes()
        with self.store.orders.bulk_load() as self.loaded:
            yield first
            yield from batches

    def count(self, batch: RawBatch, valid: int, new: int, rejects: Sequence[Any]) -> None:
        self.rejects.write(rejects)
        self.read += len(batch) + len(batch.rejects)
        self.imported += new
        self.duplicates += valid - new

    def finish(self) -> ImportSummary:
        self.rejects.close()
        rejected = self.read - self.imported - self.duplicates
        summary = ImportSummary(
            read=self.read,
            imported=self.imported,
            rejected=rejected,
            duplicates=self.duplicates,
            reject_file=self.rejects.written,
        )
        if self.run_id is not None:
            counts = RunCounts(
                self.read,
                self.imported,
                rejected,
                self.duplicates,
                str(summary.reject_file) if summary.reject_file else None,
            )
            self.store.orders.finish_run(self.run_id, counts, now())
        return summary


def _ahead(items: Iterator[_T]) -> Iterator[_T]:
    """``items``, produced by a background thread one item ahead of the consumer.

    File imports read and check the next batch (Arrow and numpy work, mostly without the GIL)
    while the database stores the current one. Errors of the producer are raised here.
    """
    queue: Queue[tuple[bool, Any]] = Queue(maxsize=1)
    stop = threading.Event()

    def put(entry: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
            put((False, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((False, exc))

    thread = threading.Thread(target=produce, name="kunde-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            more, value = queue.get()
            if not more:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()
        thread.join()


def returns_of(table: pa.Table) -> NDArray[np.int64]:
    """The line keys of the returns among ``table`` that can be linked (customer and product)."""
    returns = table.filter(
        pc.and_(
            pc.less(table["quantity"], 0),
            pc.and_(pc.is_valid(table["customer_id"]), pc.is_valid(table["product_id"])),
        )
    )
    keys: NDArray[np.int64] = returns.column("line_key").to_numpy()
    return keys


def distinct_lines(table: pa.Table) -> pa.Table:
    """The table's first row per line key, in the table's order (SQLite stores lines in the
    order they arrive)."""
    keys = table.column("line_key").to_numpy()
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    repeated = ranked[1:] == ranked[:-1]
    if not repeated.any():
        return table
    later = np.zeros(len(keys), dtype=np.bool_)
    later[order[1:][repeated]] = True  # every occurrence of a key after its first
    return table.filter(pa.array(~later))


def import_orders(
    store: Store,
    settings: Settings,
    path: Path,
    *,
    format: str = "canonical",
    mapping: Mapping[str, str] | None = None,
    progress: bool = False,
) -> ImportSummary:
    """Import an order lines file (see :meth:`kunde.engine.Engine.import_orders`)."""
    fmt = FORMATS.get(format)
    if fmt is None:
        raise InputError(f"unknown format {format!r}; use one of: {', '.join(FORMATS)}.")
    source = SourceFile(path, settings.import_batch_rows)
    columns = resolve_columns(
        source.header,
        ORDER_FIELDS,
        source=path.name,
        defaults=fmt.columns,
        mapping=mapping,
        required=("customer_id", "ordered_at"),
        one_of=(("unit_price", "amount"),),
    )

    erased = ErasedGuard(store, settings.secret_key)
    sent = ProductsSent()

    def prepared() -> Iterator[tuple[RawBatch, Lines, PreparedLines, list[dict[str, Any]]]]:
        for batch in source.batches():
            lines = normalise_lines(batch, columns, fmt, settings.default_currency)
            lines = refuse_erased_lines(lines, erased, columns.get("customer_id"))
            table = distinct_lines(lines.table)
            products = sent.new(product_table(table)).to_pylist()
            yield batch, lines, store.orders.prepare(table), products

    run = _Run(store, settings, "orders", source)
    # Into an empty store, the file's returns (line keys, 8 bytes each) are all the unlinked
    # returns there are: they are linked once all lines are stored, without reading every line.
    returns: list[NDArray[np.int64]] = []
    with _progress(progress, source) as advance:
        for batch, lines, ready, products in run.batches(_ahead(prepared())):
            new = store.orders.ingest(
                ready, products, source="import", now=now(), match_returns=False, loaded=run.loaded
            )
            run.count(batch, lines.table.num_rows, new, lines.rejects)
            if run.loaded is not None:
                returns.append(returns_of(ready.lines))
            advance()
    if run.run_id is not None:
        among = np.concatenate(returns).tolist() if run.loaded is not None else None
        store.orders.match_returns(among)
    return run.finish()


def import_products(
    store: Store, settings: Settings, path: Path, *, progress: bool = False
) -> ImportSummary:
    """Import a products file (see :meth:`kunde.engine.Engine.import_products`)."""
    source = SourceFile(path, settings.import_batch_rows)
    columns = resolve_columns(
        source.header, PRODUCT_FIELDS, source=path.name, required=("product_id",)
    )

    def write(rows: list[dict[str, Any]]) -> int:
        created, updated, _ = store.products.upsert(rows, now())
        return created + updated

    run = _Run(store, settings, "products", source)
    return _import_records(run, source, normalise_products, columns, write, progress)


def import_events(
    store: Store, settings: Settings, path: Path, *, progress: bool = False
) -> ImportSummary:
    """Import an events file (see :meth:`kunde.engine.Engine.import_events`)."""
    source = SourceFile(path, settings.import_batch_rows)
    columns = resolve_columns(
        source.header,
        EVENT_FIELDS,
        source=path.name,
        required=("event_id", "occurred_at", "type"),
        one_of=(("customer_id", "anonymous_id"),),
    )

    def write(rows: list[dict[str, Any]]) -> int:
        distinct = list({row["event_id"]: row for row in reversed(rows)}.values())
        return store.events.ingest(distinct, now())

    erased = ErasedGuard(store, settings.secret_key)

    def normalise(batch: RawBatch, columns: Mapping[str, int]) -> Records:
        checked = normalise_events(batch, columns)
        return refuse_erased_records(checked, erased, columns.get("customer_id"))

    run = _Run(store, settings, "events", source)
    return _import_records(run, source, normalise, columns, write, progress)


def _import_records(
    run: _Run,
    source: SourceFile,
    normalise: Callable[[RawBatch, Mapping[str, int]], Records],
    columns: Mapping[str, int],
    write: Callable[[list[dict[str, Any]]], int],
    progress: bool,
) -> ImportSummary:
    """Normalise and store each batch of a products or events file; ``write`` returns the
    number of rows it stored (new or changed)."""
    with _progress(progress, source) as advance:
        for batch in run.batches(source.batches()):
            records = normalise(batch, columns)
            run.count(batch, len(records.rows), write(records.rows), records.rejects)
            advance()
    return run.finish()
