"""PostgreSQL's COPY text format, built from an Arrow table column-wise.

Private to :mod:`kunde.store` (used to stage batches of order lines).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["copy_lines", "copy_payload", "copy_text"]


def copy_text(table: pa.Table) -> bytes:
    """The table in PostgreSQL's COPY text format, built column-wise."""
    return copy_payload(copy_lines(table))


def copy_lines(table: pa.Table) -> pa.LargeStringArray:
    """One COPY text line (ending in a newline) per row of the table, built column-wise."""
    parts = []
    for column in table.columns:
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if pa.types.is_string(column.type):
            for raw, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
                if pc.any(pc.match_substring(column, raw)).as_py():
                    column = pc.replace_substring(column, raw, escaped)
            part = column
        elif pa.types.is_boolean(column.type):
            part = pc.if_else(column, "t", "f")
        else:
            part = column.cast(pa.string())
        parts.append(pc.fill_null(part, "\\N"))
    rows = pc.binary_join_element_wise(*parts, "\t")
    lines: pa.LargeStringArray = pc.binary_join_element_wise(rows, pa.scalar(""), "\n").cast(
        pa.large_string()
    )
    return lines


def copy_payload(lines: pa.LargeStringArray) -> bytes:
    """The COPY text of :func:`copy_lines`' lines, as one bytes object."""
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets, data = lines.buffers()[1], lines.buffers()[2]
    if data is None or len(lines) == 0:
        return b""
    bounds = np.frombuffer(offsets, dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    payload: bytes = data.to_pybytes()[int(bounds[0]) : int(bounds[-1])]
    return payload
