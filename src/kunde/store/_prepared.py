"""A batch of order lines made ready for SQLite's ``INSERT`` before its transaction begins.

Private to :mod:`kunde.store`. File imports prepare the next batch on their reader thread
(:meth:`~kunde.store.orders.OrderRepository.prepare`) while the current one is stored: the
Python values every line binds are built there, so that the writing thread only binds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from kunde.orders import LINE_COLUMNS
from kunde.store._copy import copy_lines
from kunde.store._driver import python_values
from kunde.store._summaries import Derived

__all__ = [
    "BULK_COLUMNS",
    "LINE_VALUES",
    "STAGE_COLUMNS",
    "PreparedLines",
    "SqliteRows",
    "bulk_lines",
    "text_times",
]

# The product description columns of a line go to the products table, not to order_lines.
_PRODUCT_COLUMNS = frozenset({"product_kind", "product_name", "category", "brand"})
STAGE_COLUMNS: tuple[str, ...] = tuple(c for c in LINE_COLUMNS if c not in _PRODUCT_COLUMNS)
"""Columns of a batch that :meth:`OrderRepository.ingest` reads (other columns are ignored)."""

LINE_VALUES = tuple(c for c in STAGE_COLUMNS if c != "country")
"""The columns of order_lines that come from the batch (country belongs to the order)."""

BULK_COLUMNS = (*LINE_VALUES, "returned_quantity")
"""The columns a bulk load copies into ``order_lines`` (PostgreSQL)."""

# Columns that are often one value for a whole batch (SQLite binds them once).
_FOLDABLE = frozenset({"currency", "channel", "store_id", "is_gift", "kind"})


def text_times(table: pa.Table) -> pa.Table:
    """``ordered_at`` as ``YYYY-MM-DD HH:MM:SS.ffffff`` text, as SQLAlchemy stores it on SQLite."""
    index = table.schema.get_field_index("ordered_at")
    return table.set_column(index, "ordered_at", table.column(index).cast(pa.string()))


def _literal(value: object) -> str | None:
    """``value`` as an SQL literal, or ``None`` when it is better bound."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


@dataclass(frozen=True)
class SqliteRows:
    """The values of a batch's lines as SQLite's ``INSERT`` takes them.

    Columns that are null on every line, or one value on every line (of :data:`_FOLDABLE`), are
    written into the statement as literals; the others are bound, one row of :attr:`params`
    per line. Where a unit price is given, SQLite computes the amount (one value less to bind).
    """

    fixed: dict[str, str]
    """SQL of the columns not bound per line."""
    bound: tuple[str, ...]
    params: NDArray[np.object_]
    """One row per line, one column per name of :attr:`bound`."""

    @classmethod
    def of(cls, lines: pa.Table) -> SqliteRows:
        table = text_times(lines)
        given = pc.is_valid(table.column("unit_price"))
        amount = pc.if_else(given, pa.scalar(None, pa.float64()), table.column("amount"))
        table = table.set_column(table.schema.get_field_index("amount"), "amount", amount)
        fixed: dict[str, str] = {}
        bound: list[str] = []
        for name in LINE_VALUES:
            column = table.column(name)
            literal = None
            if column.null_count == len(column):
                literal = "NULL"
            elif name in _FOLDABLE and column.null_count == 0 and _one_value(column):
                literal = _literal(column[0].as_py())
            if literal is None:
                bound.append(name)
            else:
                fixed[name] = literal
        # The parameters as one object matrix, a line per row, filled column by column in C.
        params = np.empty((table.num_rows, len(bound)), dtype=object)
        for j, name in enumerate(bound):
            params[:, j] = python_values(table.column(name))
        return cls(fixed, tuple(bound), params)

    def take(self, keep: NDArray[np.bool_]) -> SqliteRows:
        """The rows of the lines ``keep`` names."""
        return SqliteRows(self.fixed, self.bound, self.params[keep])

    def insert(self, rows: int) -> str:
        """The ``INSERT`` of ``rows`` lines, their parameters numbered in line order."""
        return _insert(tuple(self.fixed.items()), len(self.bound), rows)


@lru_cache(maxsize=64)
def _insert(fixed: tuple[tuple[str, str], ...], width: int, rows: int) -> str:
    """The ``INSERT`` of :meth:`SqliteRows.insert` (the batches of one file mostly share it)."""
    literals = dict(fixed)

    def row(first: int) -> str:
        numbers = iter(range(first, first + width))
        e = {n: literals[n] if n in literals else f"?{next(numbers)}" for n in LINE_VALUES}
        e["amount"] = f"COALESCE({e['amount']}, {e['quantity']} * {e['unit_price']})"
        return f"({', '.join(e[name] for name in LINE_VALUES)}, 0, NULL)"

    return (
        f"INSERT INTO order_lines ({', '.join(LINE_VALUES)}, returned_quantity, "
        f"return_of) VALUES {', '.join(row(1 + r * width) for r in range(rows))}"
    )


def _one_value(column: pa.ChunkedArray) -> bool:
    first = column[0]
    return bool(pc.all(pc.equal(column, first)).as_py())


def bulk_lines(lines: pa.Table) -> pa.LargeStringArray:
    """The COPY text lines of :data:`BULK_COLUMNS` for ``lines`` (PostgreSQL's bulk load)."""
    table = text_times(lines.select(list(LINE_VALUES)))
    table = table.append_column("returned_quantity", pa.repeat(0, table.num_rows))
    return copy_lines(table)


@dataclass(frozen=True)
class PreparedLines:
    """A batch's lines (:data:`STAGE_COLUMNS`), made ready for the dialect's writes: for
    SQLite their :class:`SqliteRows`, for PostgreSQL their COPY text lines (a bulk load
    copies them into ``order_lines``), and what they add to customers, orders and summaries
    when they are all new."""

    lines: pa.Table
    rows: SqliteRows | None
    derived: Derived | None
    """``None``: not derived yet (see :meth:`aggregates`)."""
    copy: pa.LargeStringArray | None = None
    """PostgreSQL: :func:`bulk_lines` of :attr:`lines` (``None``: not built yet)."""

    @classmethod
    def of(cls, lines: pa.Table, sqlite: bool, *, bulk: bool = False) -> PreparedLines:
        """``bulk``: build the COPY text lines of a bulk load now (PostgreSQL)."""
        staged = lines.select(list(STAGE_COLUMNS))
        derived = Derived.of(staged).ready(sqlite)
        if sqlite:
            return cls(staged, SqliteRows.of(staged) if staged.num_rows else None, derived)
        return cls(staged, None, derived, bulk_lines(staged) if bulk else None)

    def without(self, known: NDArray[np.bool_]) -> PreparedLines:
        """The lines that are not ``known`` (stored before)."""
        if not known.any():
            return self
        keep = ~known
        rows = self.rows.take(keep) if self.rows is not None else None
        copy = self.copy.filter(pa.array(keep)) if self.copy is not None else None
        return PreparedLines(self.lines.filter(pa.array(keep)), rows, None, copy)

    def copy_rows(self) -> pa.LargeStringArray:
        """:attr:`copy`, built now if it was not."""
        return self.copy if self.copy is not None else bulk_lines(self.lines)

    def aggregates(self) -> Derived:
        """What the lines add to customers, orders and summaries."""
        return self.derived if self.derived is not None else Derived.of(self.lines)
