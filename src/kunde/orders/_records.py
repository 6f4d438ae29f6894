"""Products and behavioural events files: from text rows to checked records, batch-wise.

Same rules as order lines: every row is a valid record or a reject with a reason; empty values
are absent values.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from kunde.orders._reader import RawBatch, Reject
from kunde.orders._values import (
    Reasons,
    clean_text,
    mask,
    parse_float,
    parse_timestamp,
    too_long,
)

__all__ = ["Records", "normalise_events", "normalise_products"]

_PRODUCT_LIMITS = {
    "product_id": 64,
    "name": 500,
    "category": 500,
    "brand": 200,
    "description": 20_000,
}
_EVENT_LIMITS = {
    "event_id": 128,
    "type": 32,
    "customer_id": 64,
    "anonymous_id": 128,
    "touchpoint": 32,
    "device_id": 128,
    "product_id": 64,
}
_DATE_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")


@dataclass
class Records:
    """Valid records of a batch (one dict per record, file order) and the rejects."""

    rows: list[dict[str, Any]]
    lines: NDArray[np.int64]
    rejects: list[Reject]


def _texts(
    batch: RawBatch, columns: Mapping[str, int], fields: Sequence[str]
) -> dict[str, pa.Array]:
    """The cleaned text of each field (all null when the file has no column for it)."""
    n = len(batch)
    return {
        field: clean_text(batch.columns[columns[field]])
        if field in columns
        else pa.nulls(n, pa.string())
        for field in fields
    }


def _quoted(reasons: Reasons, column: pa.Array, template: str) -> Callable[[Any], list[str]]:
    """Reasons that quote the offending value: ``template.format(value=...)``."""

    def describe(rows: NDArray[np.intp]) -> list[str]:
        return [template.format(value=v) for v in reasons.values(column, rows)]

    return describe


def _finish(batch: RawBatch, reasons: Reasons, values: dict[str, pa.Array]) -> Records:
    rejects = list(batch.rejects)
    rows_bad = np.flatnonzero(reasons.bad)
    for row, original in zip(rows_bad.tolist(), batch.originals(rows_bad), strict=True):
        reason = reasons.text[row]
        rejects.append(Reject(int(batch.lines[row]), reason, original, reason.split(" ", 1)[0]))
    rejects.sort(key=lambda r: r.line)
    keep = pa.array(~reasons.bad)
    table = pa.table({name: column.filter(keep) for name, column in values.items()})
    return Records(table.to_pylist(), batch.lines[~reasons.bad], rejects)


def normalise_products(batch: RawBatch, columns: Mapping[str, int]) -> Records:
    """Check a batch of products file rows.

    Records have ``product_id, name, category, brand, price, released_at, description``.
    """
    raw = _texts(batch, columns, (*_PRODUCT_LIMITS, "price", "released_at"))
    reasons = Reasons(len(batch))
    reasons.add(mask(pc.is_null(raw["product_id"])), "product_id is empty")
    price, bad_price = parse_float(raw["price"])
    reasons.add(bad_price, _quoted(reasons, raw["price"], "price '{value}' is not a number"))
    reasons.add(
        mask(pc.less(price, 0)), _quoted(reasons, raw["price"], "price {value} is negative")
    )
    reasons.add(
        mask(pc.greater(price, 1e9)),
        _quoted(reasons, raw["price"], "price {value} is more than 1,000,000,000"),
    )
    released, bad_date = parse_timestamp(raw["released_at"], _DATE_FORMATS)
    reasons.add(
        bad_date,
        _quoted(
            reasons, raw["released_at"], "released_at '{value}' is not a date such as 2024-03-01"
        ),
    )
    for field, limit in _PRODUCT_LIMITS.items():
        reasons.add(too_long(raw[field], limit), f"{field} is longer than {limit:,} characters")
    values = {
        "product_id": raw["product_id"],
        "name": raw["name"],
        "category": raw["category"],
        "brand": raw["brand"],
        "price": price,
        "released_at": released.cast(pa.date32()),
        "description": raw["description"],
    }
    return _finish(batch, reasons, values)


def _properties(column: pa.Array, reasons: Reasons) -> pa.Array:
    """Parse the JSON objects of the ``properties`` column (non-empty values only)."""
    values = column.to_pylist()
    parsed: list[str | None] = [None] * len(values)
    bad: list[int] = []
    for row, value in enumerate(values):
        if value is None:
            continue
        try:
            obj = json.loads(value)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            bad.append(row)
            continue
        parsed[row] = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    failing = np.zeros(len(values), dtype=bool)
    failing[bad] = True
    reasons.add(failing, 'properties is not a JSON object such as {"page": "/shoes"}')
    return pa.array(parsed, pa.string())


def normalise_events(batch: RawBatch, columns: Mapping[str, int]) -> Records:
    """Check a batch of events file rows.

    Records have ``event_id, occurred_at, type, customer_id, anonymous_id, touchpoint,
    device_id, product_id, properties`` (properties as compact JSON text).
    """
    raw = _texts(batch, columns, (*_EVENT_LIMITS, "occurred_at", "properties"))
    reasons = Reasons(len(batch))
    reasons.add(mask(pc.is_null(raw["event_id"])), "event_id is empty")
    reasons.add(mask(pc.is_null(raw["occurred_at"])), "occurred_at is empty")
    occurred_at, bad_time = parse_timestamp(raw["occurred_at"], _DATE_FORMATS)
    reasons.add(
        bad_time,
        _quoted(
            reasons,
            raw["occurred_at"],
            "occurred_at '{value}' is not a date-time such as 2024-03-01 14:30",
        ),
    )
    reasons.add(mask(pc.is_null(raw["type"])), "type is empty")
    reasons.add(
        mask(pc.and_(pc.is_null(raw["customer_id"]), pc.is_null(raw["anonymous_id"]))),
        "customer_id and anonymous_id are both empty; an event needs one of them",
    )
    for field, limit in _EVENT_LIMITS.items():
        reasons.add(too_long(raw[field], limit), f"{field} is longer than {limit} characters")
    properties = _properties(raw["properties"], reasons)
    values = {name: raw[name] for name in _EVENT_LIMITS}
    values["occurred_at"] = occurred_at
    values["properties"] = properties
    return _finish(batch, reasons, values)
