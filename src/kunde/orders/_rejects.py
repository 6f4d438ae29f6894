"""The reject file: every line that was not stored, its line number, reason and content."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from kunde.orders._reader import Reject

__all__ = ["RejectFile"]


class RejectFile:
    """A CSV of rejected lines, created on the first reject only.

    Columns: ``line``, ``reason``, then the input file's own columns with the original values,
    so that the file can be corrected and imported again.

    Args:
        directory: where reject files go (``KUNDE_DATA_DIR/rejects``).
        source: the input file (its name goes into the reject file's name).
        header: the input file's column names.
    """

    def __init__(self, directory: Path, source: Path, header: Sequence[str]) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = source.name.removesuffix(".gz").rsplit(".", 1)[0] or "input"
        self.path = directory / f"{name}-rejects-{stamp}.csv"
        self.header = list(header)
        self.count = 0
        self._file: TextIO | None = None
        self._rows: Any = None

    def write(self, rejects: Iterable[Reject]) -> None:
        """Append rejected lines."""
        for reject in rejects:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("w", encoding="utf-8", newline="")
                self._rows = csv.writer(self._file)
                self._rows.writerow(["line", "reason", *self.header])
            width = len(self.header)
            values = [*reject.values[:width], *[""] * (width - len(reject.values))]
            self._rows.writerow([reject.line, reject.reason, *values])
            self.count += 1
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Close the file (if one was created)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    @property
    def written(self) -> Path | None:
        """The reject file's path, or ``None`` when nothing was rejected."""
        return self.path if self.count else None
