"""The export of everything kunde stores about one customer: a zip of JSON and CSV files.

The CSV files are written batch by batch from streamed queries, so a customer with many order
lines or events needs no more memory than one batch.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from kunde._engine import privacy
from kunde._engine.self_service import interests, profile, require_known
from kunde.orders import EVENT_FIELDS
from kunde.privacy import DATA_INVENTORY, Actor, AuditAction, data_inventory
from kunde.store import Store

__all__ = ["EXPORT_FILES", "export_customer"]

EXPORT_FILES: dict[str, str] = {
    "profile.json": "your name, salutation, contact details, addresses and channel preferences",
    "identifiers.json": "identifiers linked to you (e-mail, devices, loyalty card, browser ids)",
    "consents.json": "the current state of each consent and every grant and withdrawal",
    "payment_methods.json": "your saved payment methods (provider tokens, never card numbers)",
    "interests.json": "the interests kunde infers from your own purchases",
    "value.json": "the shop's prediction of your future purchases, if one was made",
    "data_inventory.json": "what kunde stores, for which purpose, what it brings you, how long",
    "orders.csv": "every order line: product, quantity, price, date, channel, store",
    "events.csv": "what you viewed, searched or put in your cart, and store visits",
}
"""Each file of the export and what it holds."""

_CSV = pacsv.WriteOptions(quoting_style="needed", include_header=False)
_TEXT = pa.string()
_ORDER_TYPES: dict[str, pa.DataType] = {
    "order_id": _TEXT,
    "ordered_at": _TEXT,
    "product_id": _TEXT,
    "product_name": _TEXT,
    "quantity": pa.int64(),
    "unit_price": pa.float64(),
    "amount": pa.float64(),
    "currency": _TEXT,
    "channel": _TEXT,
    "store_id": _TEXT,
    "is_gift": pa.bool_(),
    "kind": _TEXT,
    "returned_quantity": pa.int64(),
}
_EVENT_TYPES: dict[str, pa.DataType] = dict.fromkeys(EVENT_FIELDS, _TEXT)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def _readme(customer_id: str, at: datetime) -> str:
    lines = [
        "Your data at this shop",
        "======================",
        "",
        f"Everything the shop's customer system (kunde) stores about customer {customer_id},",
        f"exported on {at:%Y-%m-%d %H:%M} UTC.",
        "",
        "Files:",
        *(f"  {name:<22} {what}" for name, what in EXPORT_FILES.items()),
        "",
        "JSON files open in any text editor; CSV files open in a spreadsheet (UTF-8, comma).",
        "",
        "What is stored, why, what it brings you and for how long:",
    ]
    for c in DATA_INVENTORY:
        lines += ["", f"* {c.category}: {c.what}", f"  Purpose: {c.purpose}"]
        lines += [f"  For you: {c.benefit}", f"  Kept: {c.retention}"]
    lines += [
        "",
        "You can change your data and consents, and ask for it to be erased, at any time.",
    ]
    return "\n".join(lines) + "\n"


def _write_json(archive: zipfile.ZipFile, name: str, data: Any) -> None:
    text = json.dumps(_plain(data), indent=2, ensure_ascii=False, sort_keys=True)
    archive.writestr(name, text + "\n")


def _typed(table: pa.Table, types: Mapping[str, pa.DataType]) -> pa.Table:
    """The columns in file order and type (times as ISO text without a zero fraction), so that
    all batches of a file share one schema whatever a batch's values."""
    columns = []
    for name, kind in types.items():
        column = table.column(name)
        if pa.types.is_timestamp(column.type):
            text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
            column = pc.replace_substring_regex(text, pattern=r"\.0+$", replacement="")
        columns.append(pc.cast(column, kind))
    return pa.table(columns, names=list(types))


def _write_csv(
    archive: zipfile.ZipFile,
    name: str,
    types: Mapping[str, pa.DataType],
    batches: Iterator[pa.Table],
) -> int:
    rows = 0
    with archive.open(name, "w", force_zip64=True) as raw:
        raw.write((",".join(types) + "\n").encode("utf-8"))  # plain names, never quoted
        writer = pacsv.CSVWriter(raw, pa.schema(list(types.items())), write_options=_CSV)
        for batch in batches:
            writer.write_table(_typed(batch, types))
            rows += batch.num_rows
        writer.close()
    return rows


def export_customer(
    store: Store,
    actor: Actor,
    customer_id: str,
    target: IO[bytes],
    *,
    value: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Write the customer's export zip to ``target`` and audit it; return rows per CSV file.

    Raises:
        NotFoundError: unknown customer.
    """
    require_known(store, customer_id)
    at = datetime.now(UTC).replace(tzinfo=None)
    store.audit.append([privacy.audit_entry(actor, AuditAction.EXPORT, customer_id, at)])
    person = profile(store, customer_id)
    current, history = privacy.consents(store, customer_id)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(customer_id, at))
        _write_json(
            archive,
            "profile.json",
            {k: v for k, v in person.items() if k not in ("identifiers", "summary")},
        )
        _write_json(archive, "identifiers.json", person.get("identifiers", []))
        _write_json(archive, "consents.json", {"current": current, "history": history})
        _write_json(archive, "payment_methods.json", store.payment_methods.list(customer_id))
        _write_json(archive, "interests.json", interests(store, customer_id))
        _write_json(archive, "value.json", value)
        _write_json(archive, "data_inventory.json", data_inventory())
        counts["orders.csv"] = _write_csv(
            archive, "orders.csv", _ORDER_TYPES, store.rights.order_lines(customer_id)
        )
        counts["events.csv"] = _write_csv(
            archive, "events.csv", _EVENT_TYPES, store.rights.events(customer_id)
        )
    return counts
