"""The line keys a load into an empty store has stored so far.

Private to :mod:`kunde.store.orders`. While a file is loaded into a store that had no order lines,
the lines stored are the lines this load stored: a batch's duplicates of earlier batches are
found in memory instead of by reading ``order_lines``, and its other lines go in with a plain
``INSERT`` (SQLite) or ``COPY`` (PostgreSQL). Should another writer have stored one of them in the
meantime, that statement fails on the primary key and the batch is stored again the checked way.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["InterleavedError", "LoadedKeys", "members"]


class InterleavedError(Exception):
    """Another writer stored order lines while a bulk load was running (SQLite)."""


def members(keys: NDArray[np.int64], sorted_keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Which of ``keys`` are among ``sorted_keys`` (sorted ascending), by binary search.

    numpy's ``isin`` hashes 63-bit line keys many times slower than this (0.7 s for 65,000
    keys against 536,000).
    """
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=np.bool_)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    found: NDArray[np.bool_] = sorted_keys[at] == keys
    return found


class LoadedKeys:
    """The sorted, distinct line keys stored by one bulk load.

    On SQLite, ``order_lines`` has no index on ``line_key`` while the load runs (it is built
    at the end), so another writer's lines would not fail the load's inserts: each batch checks
    instead that the table's last rowid is the one the load's previous batch left
    (:attr:`last_row`; lines are appended, so any line stored by someone else moves it).
    """

    def __init__(self) -> None:
        self._keys: NDArray[np.int64] = np.empty(0, np.int64)
        self.last_row: int | None = None
        """The largest rowid of ``order_lines`` after this load's last batch (SQLite;
        ``None``: the table was empty)."""
        self.pending_row: int | None = None
        """The same after the batch being stored (it becomes :attr:`last_row` on commit)."""
        self.interrupted = False
        """Another writer stored lines meanwhile: the rest of the load is stored checked."""

    def __len__(self) -> int:
        return len(self._keys)

    def known(self, keys: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Which of ``keys`` this load has stored."""
        return members(keys, self._keys)

    def add(self, keys: NDArray[np.int64]) -> None:
        """Record ``keys`` as stored (after their transaction committed), and the batch's last
        rowid as this load's.

        The batch's keys are sorted and merged into the stored ones (one pass over them), not
        sorted again with them.
        """
        self.last_row = self.pending_row
        added = np.sort(keys.astype(np.int64, copy=False))
        # Distinct and not stored yet (numpy's unique hashes 63-bit keys many times slower).
        fresh = np.ones(len(added), dtype=np.bool_)
        fresh[1:] = added[1:] != added[:-1]
        added = added[fresh & ~members(added, self._keys)]
        if len(added):
            self._keys = np.insert(self._keys, np.searchsorted(self._keys, added), added)
