"""Streaming readers for .csv, .csv.gz and .parquet: batches of text columns with line numbers.

A :class:`SourceFile` checks that a file can be read at all before anything else happens
(:class:`~kunde.errors.UnreadableFileError` otherwise), then yields :class:`RawBatch` es of at
most ``batch_rows`` rows. Every value is text, exactly as in the file, so that rejected lines
can be written back unchanged. Lines that cannot be split into the header's fields, or that are
not valid UTF-8, become :class:`Reject` s of the batch; blank lines are skipped.

Line numbers count records the way a spreadsheet numbers rows: the header is line 1, the first
data row line 2 (a quoted value spanning several lines is one record). Parquet files have no
header; their first row is line 1.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from numpy.typing import NDArray

from kunde.errors import UnreadableFileError

if TYPE_CHECKING:
    import pyarrow.parquet as pq

__all__ = ["RawBatch", "Reject", "SourceFile"]

_HEAD_BYTES = 1 << 16
_BLOCK_BYTES = 1 << 20

_FIRST_BATCH_ROWS = 8_192
"""Most rows of a CSV file's first batch; each next batch may be twice as large, up to
``batch_rows``: the database starts storing early, and the reader stays a batch ahead."""


@dataclass(frozen=True)
class Reject:
    """A line that was not stored, with the reason and its original values."""

    line: int
    reason: str
    values: list[str]
    field: str | None = None
    """The field at fault, when one is (for API error messages)."""


@dataclass
class RawBatch:
    """Rows of a file as text.

    Attributes:
        columns: one string array per file column (header order), no nulls.
        lines: the line number of each row.
        rejects: lines of this stretch of the file that could not be read as rows.
    """

    columns: list[pa.Array]
    lines: NDArray[np.int64]
    rejects: list[Reject]

    def __len__(self) -> int:
        return len(self.lines)

    def originals(self, rows: NDArray[np.intp]) -> list[list[str]]:
        """The original values of ``rows``, for the reject file."""
        index = pa.array(rows, type=pa.int64())
        taken = [column.take(index).to_pylist() for column in self.columns]
        return [list(values) for values in zip(*taken, strict=True)]


def _unreadable(path: Path, why: str) -> UnreadableFileError:
    return UnreadableFileError(f"{path.name} cannot be read: {why}.")


class SourceFile:
    """An opened input file.

    Args:
        path: a ``.csv``, ``.csv.gz`` (any gzip-compressed CSV) or ``.parquet`` file.
        batch_rows: most rows per batch (a CSV file's first batches are smaller: 8,192 rows,
            then twice as many each time, so that storing starts early; which rows share a
            batch changes nothing that is stored).

    Raises:
        UnreadableFileError: the file is missing, empty, binary, not UTF-8, not CSV or Parquet.
    """

    def __init__(self, path: Path, batch_rows: int) -> None:
        self.path = path
        self.batch_rows = batch_rows
        self.size = 0
        self._parquet: pq.ParquetFile | None = None
        self._raw: pa.NativeFile | None = None
        self._delimiter = ","
        self._compressed = False
        self.header: list[str] = []
        self._yielded = 0  # line number of the last row handed out
        self._open()

    # --- checks before anything is read ----------------------------------------------------

    def _open(self) -> None:
        path = self.path
        if not path.is_file():
            raise _unreadable(path, "there is no such file")
        self.size = path.stat().st_size
        if self.size == 0:
            raise _unreadable(path, "the file is empty")
        with path.open("rb") as f:
            magic = f.read(4)
        if magic == b"PAR1":
            import pyarrow.parquet as pq  # here: it takes a while to import, CSV needs none of it

            try:
                self._parquet = pq.ParquetFile(path)
            except (pa.ArrowException, OSError) as exc:
                raise _unreadable(path, f"it is not a valid Parquet file ({exc})") from exc
            self.header = list(self._parquet.schema_arrow.names)
            return
        if magic.startswith(b"PK\x03\x04"):
            raise _unreadable(path, "it is a ZIP archive; unpack it and import the CSV inside")
        self._compressed = magic.startswith(b"\x1f\x8b")
        head = self._head()
        first = head.split(b"\n", 1)[0]
        if b"\x00" in first or head.count(b"\x00") > max(1, len(head) // 100):
            raise _unreadable(path, "it contains binary data, not CSV text")
        try:
            header_text = first.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _unreadable(path, "its first line is not UTF-8 text; save it as UTF-8") from exc
        counts = {d: header_text.count(d) for d in (",", ";", "\t")}
        self._delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
        text = head.decode("utf-8-sig", errors="replace")
        header = next(csv.reader(io.StringIO(text), delimiter=self._delimiter), [])
        if not any(name.strip() for name in header):
            raise _unreadable(path, "its first line is empty; it needs a header line")
        self.header = header

    def _head(self) -> bytes:
        try:
            if self._compressed:
                with gzip.open(self.path, "rb") as f:
                    return f.read(_HEAD_BYTES)
            with self.path.open("rb") as f:
                return f.read(_HEAD_BYTES)
        except (OSError, EOFError, zlib.error) as exc:
            raise _unreadable(self.path, f"it is not a readable gzip file ({exc})") from exc

    # --- reading ----------------------------------------------------------------------------

    def fraction_read(self) -> float:
        """How much of the file has been read, between 0 and 1."""
        if self._raw is None or self._raw.closed:
            return 1.0
        return min(1.0, float(self._raw.tell()) / max(1, self.size))

    def batches(self) -> Iterator[RawBatch]:
        """The file's rows, ``batch_rows`` at a time.

        Raises:
            UnreadableFileError: the file breaks off or becomes unreadable midway.
        """
        if self._parquet is not None:
            yield from self._parquet_batches(self._parquet)
        else:
            yield from self._csv_batches()

    def _parquet_batches(self, parquet: pq.ParquetFile) -> Iterator[RawBatch]:
        start = 1
        for record_batch in parquet.iter_batches(batch_size=self.batch_rows):
            n = record_batch.num_rows
            lines = np.arange(start, start + n, dtype=np.int64)
            start += n
            columns = [_as_text(column) for column in record_batch.columns]
            yield _decoded(columns, lines, [])

    def _csv_batches(self) -> Iterator[RawBatch]:
        invalid: list[tuple[int, int, int, str]] = []

        def on_invalid_row(row: Any) -> str:
            number = row.number if row.number is not None and row.number > 0 else -1
            invalid.append((number, row.expected_columns, row.actual_columns, row.text))
            return "skip"

        names = [f"c{i}" for i in range(len(self.header))]
        self._raw = pa.OSFile(str(self.path))
        stream: pa.NativeFile = (
            pa.CompressedInputStream(self._raw, "gzip") if self._compressed else self._raw
        )
        try:
            reader = pa_csv.open_csv(
                stream,
                read_options=pa_csv.ReadOptions(
                    column_names=names,
                    skip_rows=1,
                    use_threads=False,
                    block_size=_BLOCK_BYTES,
                ),
                parse_options=pa_csv.ParseOptions(
                    delimiter=self._delimiter,
                    invalid_row_handler=on_invalid_row,
                    ignore_empty_lines=False,
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types={name: pa.binary() for name in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    null_values=[],
                ),
            )
            rows_done = 0
            invalid_done = 0
            pending: list[pa.RecordBatch] = []
            pending_rows = 0
            end_of_file = False
            while not end_of_file:
                try:
                    record_batch = reader.read_next_batch()
                    pending.append(record_batch)
                    pending_rows += record_batch.num_rows
                except StopIteration:
                    end_of_file = True
                while pending_rows >= (limit := self._limit(rows_done)) or (
                    end_of_file and (pending_rows or invalid_done < len(invalid))
                ):
                    table = pa.Table.from_batches(pending, schema=reader.schema)
                    rest = table.slice(limit)
                    table = table.slice(0, limit)
                    pending, pending_rows = rest.to_batches(), rest.num_rows
                    end = rows_done + table.num_rows
                    lines, invalid_done, rejects = self._number(
                        rows_done,
                        end,
                        invalid,
                        invalid_done,
                        final=end_of_file and not pending_rows,
                    )
                    rows_done = end
                    columns = [table.column(i).combine_chunks() for i in range(table.num_columns)]
                    yield _decoded(columns, lines, rejects)
                    self._yielded = int(lines[-1]) if len(lines) else self._yielded
        except (pa.ArrowInvalid, OSError, EOFError) as exc:
            why = str(exc).strip().rstrip(".") or type(exc).__name__
            if not self._yielded:
                raise _unreadable(self.path, f"reading stopped ({why})") from exc
            raise UnreadableFileError(
                f"{self.path.name} breaks off after line {self._yielded} ({why}); the lines "
                "before were imported: import the complete file again to add the rest."
            ) from exc
        finally:
            stream.close()
            self._raw.close()

    def _limit(self, rows_done: int) -> int:
        """Most rows of the next batch."""
        return min(self.batch_rows, max(_FIRST_BATCH_ROWS, 2 * rows_done))

    def _number(
        self,
        start: int,
        end: int,
        invalid: list[tuple[int, int, int, str]],
        invalid_done: int,
        *,
        final: bool,
    ) -> tuple[NDArray[np.int64], int, list[Reject]]:
        """Line numbers of rows ``start:end`` and the malformed lines among or before them."""
        numbers = np.array([entry[0] for entry in invalid], dtype=np.int64)
        # Invalid record j sits after this many valid rows; record numbers start at 2.
        valid_before = numbers - np.arange(len(numbers), dtype=np.int64) - 2
        k = np.arange(start, end, dtype=np.int64)
        lines = k + 2 + np.searchsorted(valid_before, k, side="right")
        upto = len(invalid) if final else int(np.searchsorted(valid_before, end, side="left"))
        rejects = [
            self._malformed(*entry) for entry in invalid[invalid_done : max(upto, invalid_done)]
        ]
        return lines, max(upto, invalid_done), rejects

    def _malformed(self, number: int, expected: int, actual: int, text: str) -> Reject:
        values = next(csv.reader(io.StringIO(text), delimiter=self._delimiter), [])
        if len(values) > expected:
            values = [*values[: expected - 1], self._delimiter.join(values[expected - 1 :])]
        reason = (
            f"the line has {actual} fields where the header has {expected}"
            " (a missing or extra separator, or an unclosed quote)"
        )
        return Reject(number, reason, values)


def _as_text(column: pa.Array) -> pa.Array:
    """A Parquet column as text (binary columns stay bytes and are decoded later)."""
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if not (pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type)):
        column = column.cast(pa.string())
    return pc.fill_null(column.cast(pa.binary()), b"")


def _offsets_and_data(column: pa.Array) -> tuple[NDArray[np.int64], NDArray[np.uint8]]:
    """Offsets (rebased to the data) and bytes of a binary or string array, without copying."""
    n = len(column)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[
        column.offset : column.offset + n + 1
    ]
    data_buffer = column.buffers()[2]
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)
        if data_buffer is not None
        else np.zeros(0, dtype=np.uint8)
    )
    return offsets.astype(np.int64), data


def _decoded(columns: list[pa.Array], lines: NDArray[np.int64], rejects: list[Reject]) -> RawBatch:
    """Decode byte columns as UTF-8; rows that do not decode, or hold NUL, become rejects."""
    n = len(lines)
    bad = np.zeros(n, dtype=bool)
    reasons: dict[int, str] = {}
    lengths = np.zeros(n, dtype=np.int64)
    text_columns: list[pa.Array] = []
    for column in columns:
        column = column.cast(pa.binary())
        offsets, data = _offsets_and_data(column)
        lengths += np.diff(offsets)
        stored = data[offsets[0] : offsets[-1]] if n else data[:0]
        if stored.size and not stored.all():  # some byte is NUL
            has_nul = mask(pc.match_substring(column, b"\x00"))
            for row in np.flatnonzero(has_nul & ~bad):
                reasons.setdefault(int(row), "the line contains a NUL character")
            bad |= has_nul
        try:
            text = column.cast(pa.string())
        except pa.ArrowInvalid:
            values = column.to_pylist()
            for position, value in enumerate(values):
                try:
                    value.decode("utf-8")
                except UnicodeDecodeError:
                    bad[position] = True
                    reasons.setdefault(
                        position, "the line is not valid UTF-8 text; save the file as UTF-8"
                    )
            text = pa.array(
                [v.decode("utf-8", errors="backslashreplace") for v in values], pa.string()
            )
        text_columns.append(text)
    blank = lengths == 0
    drop = bad | blank
    if bad.any():
        rows = np.flatnonzero(bad)
        index = pa.array(rows)
        taken = [c.take(index).to_pylist() for c in text_columns]
        for i, row in enumerate(rows):
            values = [str(t[i]) for t in taken]
            rejects.append(Reject(int(lines[row]), reasons[int(row)], values))
    if drop.any():
        keep = pa.array(~drop)
        text_columns = [c.filter(keep) for c in text_columns]
        lines = lines[~drop]
    rejects.sort(key=lambda r: r.line)
    return RawBatch(text_columns, lines, rejects)


def mask(array: pa.Array) -> NDArray[np.bool_]:
    """A boolean array as numpy, nulls as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)
