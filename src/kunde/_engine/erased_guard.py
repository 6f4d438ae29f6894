"""Erased people stay erased: imports and API writes that name an erased customer are refused.

The erasure register keeps a keyed digest of each erased customer id (HMAC-SHA256 under
``KUNDE_SECRET_KEY``), never the id. A file import loads the register once and, per batch,
computes the digests of the batch's distinct customer ids only when the register is not empty,
then drops the erased customers' lines with one set look-up (``pc.is_in``). The dropped lines
count as rejected; their reject file row holds the line number and the reason but none of the
line's values, so kunde writes nothing of the person to disk (the shop finds the line by its
number in its own file). API writes (orders, events, identify, profile, consent) answer 409.

Events under an anonymous id alone are not refused: after the erasure no identifier links that
id to anybody.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from sqlalchemy.exc import OperationalError, ProgrammingError

from kunde.errors import ErasedCustomerError
from kunde.orders import Lines, Records, Reject
from kunde.privacy import subject_digest
from kunde.store import Store

__all__ = [
    "ERASED_MESSAGE",
    "ERASED_REASON",
    "ErasedGuard",
    "refuse_erased",
    "refuse_erased_lines",
    "refuse_erased_records",
]

ERASED_MESSAGE = (
    "this customer was erased at their request, so kunde stores no new data about them; leave "
    "it out, or give the person a new customer id if they open a new account"
)
ERASED_REASON = (
    "customer_id: " + ERASED_MESSAGE + " (the line's values are not copied into this file)"
)
"""The reason in a reject file, in words a shop owner understands."""


class ErasedGuard:
    """The erasure register of one import, loaded once.

    Args:
        store: the store whose register to load.
        secret: ``KUNDE_SECRET_KEY`` (the register's digests are keyed with it).
    """

    def __init__(self, store: Store, secret: str) -> None:
        self._secret = secret
        try:
            self._register = store.rights.register()
        except (OperationalError, ProgrammingError):  # no tables yet: the import says so
            self._register = frozenset()

    @property
    def active(self) -> bool:
        """Whether anybody was erased (otherwise nothing needs checking)."""
        return bool(self._register)

    def mask(self, customer_ids: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
        """Which of ``customer_ids`` (nulls: anonymous) name an erased customer."""
        n = len(customer_ids)
        if not self._register or n == 0:
            return np.zeros(n, dtype=np.bool_)
        if isinstance(customer_ids, pa.ChunkedArray):
            customer_ids = customer_ids.combine_chunks()
        distinct = pc.unique(customer_ids.drop_null()).to_pylist()
        erased = [c for c in distinct if subject_digest(self._secret, c) in self._register]
        if not erased:
            return np.zeros(n, dtype=np.bool_)
        hit = pc.fill_null(pc.is_in(customer_ids, value_set=pa.array(erased, pa.string())), False)
        return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=np.bool_)


def _rejects(line_numbers: NDArray[np.int64]) -> list[Reject]:
    return [Reject(int(n), ERASED_REASON, [], "customer_id") for n in line_numbers.tolist()]


def _scrubbed(rejects: list[Reject], guard: ErasedGuard, column: int | None) -> list[Reject]:
    """Rejects (for another reason) of an erased customer's lines lose their values too."""
    if column is None or not rejects or not guard.active:
        return rejects
    raw = [r.values[column].strip() if column < len(r.values) else None for r in rejects]
    erased = guard.mask(pa.array(raw, pa.string())).tolist()
    return [
        Reject(r.line, ERASED_REASON, [], "customer_id") if gone else r
        for r, gone in zip(rejects, erased, strict=True)
    ]


def refuse_erased_lines(lines: Lines, guard: ErasedGuard, column: int | None) -> Lines:
    """A batch's valid order lines without those of erased customers (rejected instead).

    Args:
        column: the input's customer id column (its rejects name nobody erased either).
    """
    erased = guard.mask(lines.table.column("customer_id"))
    rejects = _scrubbed(lines.rejects, guard, column)
    if not erased.any():
        return Lines(lines.table, lines.lines, rejects) if rejects is not lines.rejects else lines
    rejects = sorted([*rejects, *_rejects(lines.lines[erased])], key=lambda r: r.line)
    return Lines(lines.table.filter(pa.array(~erased)), lines.lines[~erased], rejects)


def refuse_erased_records(records: Records, guard: ErasedGuard, column: int | None) -> Records:
    """A batch's valid events without those of erased customers (rejected instead)."""
    rejects = _scrubbed(records.rejects, guard, column)
    if not guard.active:
        return records
    ids = pa.array([row.get("customer_id") for row in records.rows], pa.string())
    erased = guard.mask(ids)
    if not erased.any():
        return Records(records.rows, records.lines, rejects)
    rows = [row for row, gone in zip(records.rows, erased.tolist(), strict=True) if not gone]
    rejects = sorted([*rejects, *_rejects(records.lines[erased])], key=lambda r: r.line)
    return Records(rows, records.lines[~erased], rejects)


def refuse_erased(store: Store, secret: str, named: Sequence[tuple[str, Any]]) -> None:
    """Refuse an API write that names an erased customer (one register query).

    Args:
        named: ``(field, customer id or None)`` of every customer the request names.

    Raises:
        ErasedCustomerError: the first field that names an erased customer (409).
    """
    digests = {c: subject_digest(secret, c) for _, c in named if isinstance(c, str)}
    if not digests:
        return
    found = store.rights.erased_among(list(digests.values()))
    for field, customer_id in named:
        if isinstance(customer_id, str) and digests[customer_id] in found:
            raise ErasedCustomerError(f"{field}: {ERASED_MESSAGE}.")
