"""The per-customer summary a value fit computed, kept for the export and the API scores.

``kunde value fit`` reads every customer's history from the store to fit the models; the export
(and the scores behind the value API) need the same histories with the customer ids. The fit
writes them to ``data_dir/models/value/summary.arrow`` (Arrow IPC, uncompressed: the file is
memory-mapped on reading), tagged with the store's value data version and the as-of date it was
computed for. A reader uses it only while both match; otherwise it reads the store again.

The data version moves with every change that can alter a summary (orders, returns, merges,
unmerges, consent entries of ``analytics``, erasures), so a stale snapshot is never used. The
file holds customer ids, so an erasure deletes it outright (:func:`discard`), whatever the data
directory's scrub would otherwise find in it.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from kunde.config import Settings

if TYPE_CHECKING:  # kunde.value loads scipy: not for an erasure, which only discards
    from kunde.value import CustomerSummary

__all__ = ["SNAPSHOT_FORMAT", "discard", "load", "save", "snapshot_path"]

SNAPSHOT_FORMAT = 1
_INTS = ("first_day", "last_day")
_FLOATS = ("frequency", "recency_days", "tenure_days", "monetary", "total_value")


def snapshot_path(settings: Settings) -> Path:
    """Where the summary of the last value fit is kept."""
    return settings.data_dir / "models" / "value" / "summary.arrow"


def _tags(data_version: int, as_of: date | None) -> dict[bytes, bytes]:
    return {
        b"kunde.format": str(SNAPSHOT_FORMAT).encode(),
        b"kunde.data_version": str(int(data_version)).encode(),
        b"kunde.as_of": (as_of.isoformat() if as_of is not None else "").encode(),
    }


def save(
    settings: Settings,
    data_version: int,
    as_of: date | None,
    ids: pa.Array | np.ndarray[Any, Any],
    summary: CustomerSummary,
) -> None:
    """Keep the customers with a purchase (ids aligned with ``summary``), written atomically.

    Args:
        data_version: the store's value data version, read before the summary was.
        as_of: the as-of date the summary was asked for (``None``: the latest stored day).
    """
    keep = summary.has_purchase
    column = ids if isinstance(ids, pa.Array) else pa.array(ids, type=pa.string())
    columns: dict[str, Any] = {"customer_id": column.filter(pa.array(keep))}
    for name in (*_INTS, *_FLOATS):
        columns[name] = np.ascontiguousarray(getattr(summary, name)[keep])
    table = pa.table(columns)
    table = table.replace_schema_metadata(
        {**_tags(data_version, as_of), b"kunde.summary_as_of": str(summary.as_of).encode()}
    )
    path = snapshot_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with pa.OSFile(str(tmp), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=max(table.num_rows, 1))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load(
    settings: Settings, data_version: int, as_of: date | None
) -> tuple[pa.Array, CustomerSummary] | None:
    """The kept summary (customers with a purchase) and their ids, or ``None`` when there is
    none, it is unreadable, or it was computed for another data version or as-of date."""
    from kunde.value import CustomerSummary

    path = snapshot_path(settings)
    try:
        with pa.memory_map(str(path), "r") as source:
            reader = ipc.open_file(source)
            tags = reader.schema.metadata or {}
            wanted = _tags(data_version, as_of)
            if any(tags.get(key) != value for key, value in wanted.items()):
                return None
            table = reader.read_all()
            summary_as_of = int(tags[b"kunde.summary_as_of"])
    except (OSError, pa.ArrowInvalid, KeyError, ValueError):
        return None
    n = table.num_rows

    def column(name: str, dtype: type[Any]) -> np.ndarray[Any, Any]:
        return np.asarray(table.column(name).to_numpy(), dtype=dtype)

    summary = CustomerSummary(
        as_of=summary_as_of,
        has_purchase=np.ones(n, dtype=np.bool_),
        first_day=column("first_day", np.int64),
        last_day=column("last_day", np.int64),
        frequency=column("frequency", np.float64),
        recency_days=column("recency_days", np.float64),
        tenure_days=column("tenure_days", np.float64),
        monetary=column("monetary", np.float64),
        total_value=column("total_value", np.float64),
    )
    ids = table.column("customer_id").combine_chunks()
    return ids, summary


def discard(settings: Settings) -> Path | None:
    """Delete the kept summary (an erasure does); the path when there was one."""
    path = snapshot_path(settings)
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    return path
