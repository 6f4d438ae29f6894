"""Scores of the whole customer base, cached per (model version, data version, horizon).

Scoring is one pass over every customer's history; the value API would otherwise do it for each
request. An entry is valid while the fitted models (artefact ``version`` and ``fitted_at``) and
the store's ``customer_days`` counter (bumped in the transaction of every order import or post)
are unchanged: a new order or a refit changes the key, so the next request scores afresh.
The key is read before the scores, so an entry is never older than its key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["ScoreCache", "Scores"]


@dataclass
class Scores:
    """One scored population (the export's columns) with a customer index and segment totals."""

    table: pa.Table
    _rows: dict[str, int] | None = field(default=None, repr=False)
    _segments: dict[str, Any] | None = field(default=None, repr=False)

    def row(self, customer_id: str) -> dict[str, Any] | None:
        """The customer's row, or ``None`` for customers without a purchase."""
        if self._rows is None:
            ids = self.table.column("customer_id").to_pylist()
            self._rows = dict(zip(ids, range(len(ids)), strict=True))
        i = self._rows.get(customer_id)
        if i is None:
            return None
        rows: list[dict[str, Any]] = self.table.slice(i, 1).to_pylist()
        return rows[0]

    def segments(self) -> dict[str, Any]:
        """Customers and predicted value per segment, and the high-value group."""
        if self._segments is None:
            from kunde.value import high_value, segment_totals  # scipy: loaded when scoring

            names = np.array(self.table.column("segment").to_pylist(), dtype=np.str_)
            value = self.table.column("expected_value").to_numpy()
            totals = segment_totals(names, value, high_value(value))
            self._segments = {
                "customers": int(self.table.num_rows),
                "segments": [
                    {"segment": name, "customers": totals.customers[name], "expected_value": v}
                    for name, v in totals.value.items()
                ],
            }
        return self._segments


class ScoreCache:
    """A few scored populations, the most recently used kept; safe to share between threads.

    Args:
        max_entries: entries kept (one per horizon in use; stale keys age out).
    """

    def __init__(self, max_entries: int = 4) -> None:
        self._entries: OrderedDict[Hashable, Scores] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], pa.Table]) -> Scores:
        """The scores under ``key``, computed (once, also under concurrent requests) if missing."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit
            scores = Scores(compute())
            self.misses += 1
            self._entries[key] = scores
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
            return scores
