"""API payloads in: orders, events and products posted to the HTTP API.

Orders go through the same normalisation and store path as files (:mod:`.imports`), all of a
request in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pyarrow as pa
from sqlalchemy import Connection

from kunde._engine.erased_guard import refuse_erased
from kunde._engine.import_products import products_of
from kunde._engine.imports import distinct_lines, now
from kunde.catalog import ProductIn
from kunde.config import Settings
from kunde.errors import ConflictError, InvalidFieldError, NotFoundError
from kunde.identity import EventIn
from kunde.orders import FORMATS, OrderIn, OrdersResult, RawBatch, normalise_lines
from kunde.store import Store

__all__ = ["add_events", "add_orders", "get_product", "upsert_products"]

_ORDER_LEVEL = (
    "order_id",
    "customer_id",
    "ordered_at",
    "currency",
    "channel",
    "store_id",
    "country",
)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    return repr(value) if isinstance(value, float) else str(value)


def add_orders(store: Store, settings: Settings, orders: Sequence[OrderIn]) -> OrdersResult:
    """Store orders posted to the API (see :meth:`kunde.engine.Engine.add_orders`)."""
    seen: dict[str, int] = {}
    for i, order in enumerate(orders):
        if order.order_id in seen:
            raise InvalidFieldError(
                f"orders[{i}].order_id",
                f"order {order.order_id!r} appears twice in the request (also orders"
                f"[{seen[order.order_id]}])",
            )
        seen[order.order_id] = i
    named = [(f"orders[{i}].customer_id", order.customer_id) for i, order in enumerate(orders)]
    refuse_erased(store, settings.secret_key, named)
    where = [(i, j) for i, order in enumerate(orders) for j in range(len(order.lines))]
    fields = [*_ORDER_LEVEL, "product_id", "quantity", "unit_price", "amount", "is_gift"]
    values: dict[str, list[str]] = {f: [] for f in fields}
    for order in orders:
        head = {f: _text(getattr(order, f)) for f in _ORDER_LEVEL}
        for line in order.lines:
            for f in _ORDER_LEVEL:
                values[f].append(head[f])
            for f in ("product_id", "quantity", "unit_price", "amount", "is_gift"):
                values[f].append(_text(getattr(line, f)))
    batch = RawBatch(
        [pa.array(values[f], pa.string()) for f in fields],
        np.arange(len(where), dtype=np.int64),
        [],
    )
    lines = normalise_lines(
        batch, {f: k for k, f in enumerate(fields)}, FORMATS["canonical"], settings.default_currency
    )
    if lines.rejects:
        reject = lines.rejects[0]
        i, j = where[reject.line]
        field = reject.field or "lines"
        name = (
            f"orders[{i}].{field}" if field in _ORDER_LEVEL else f"orders[{i}].lines[{j}].{field}"
        )
        raise InvalidFieldError(name, reject.reason)
    table = lines.table
    keys = table.column("line_key").to_numpy()
    order_of = table.column("order_id").to_pylist()
    wanted: dict[str, set[int]] = {}
    for row, (order_id, key) in enumerate(zip(order_of, keys.tolist(), strict=True)):
        if key in wanted.setdefault(order_id, set()):
            i, j = where[row]
            raise InvalidFieldError(
                f"orders[{i}].lines[{j}]",
                "repeats an earlier line of the same order; send one line with the total quantity",
            )
        wanted[order_id].add(key)
    unchanged: list[str] = []

    def check(conn: Connection) -> None:
        stored = store.orders.lines_of_orders(list(wanted), conn)
        for order_id, keys_stored in stored.items():
            if keys_stored != wanted[order_id]:
                raise ConflictError(
                    f"order {order_id!r} is already stored with other lines; an order cannot "
                    "be changed by posting it again (post returns as new orders)"
                )
            unchanged.append(order_id)

    table = distinct_lines(table)
    # ``check`` runs after concurrent posts of the same orders have ended (the store waits for
    # them), so an order it does not find stored is one this request inserts.
    store.orders.ingest(table, products_of(table), source="api", now=now(), check=check)
    created = [o.order_id for o in orders if o.order_id not in set(unchanged)]
    return OrdersResult(created=created, unchanged=[o for o in seen if o in set(unchanged)])


def add_events(store: Store, settings: Settings, events: Sequence[EventIn]) -> tuple[int, int]:
    """Store events posted to the API; returns ``(stored, duplicates)``.

    Raises:
        ErasedCustomerError: an event names an erased customer (nothing is stored).
    """
    named = [(f"events[{i}].customer_id", event.customer_id) for i, event in enumerate(events)]
    refuse_erased(store, settings.secret_key, named)
    rows: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.event_id in rows:
            continue
        row = event.model_dump()
        stamp = row["occurred_at"]
        if stamp.tzinfo is not None:
            row["occurred_at"] = stamp.astimezone(UTC).replace(tzinfo=None)
        if row["properties"] is not None:
            row["properties"] = json.dumps(row["properties"], separators=(",", ":"))
        rows[event.event_id] = row
    stored = store.events.ingest(list(rows.values()), now())
    return stored, len(events) - stored


def upsert_products(store: Store, products: Sequence[ProductIn]) -> tuple[int, int]:
    """Create or update products; returns ``(created, updated)``."""
    created, updated, _ = store.products.upsert([p.model_dump() for p in products], now())
    return created, updated


def get_product(store: Store, product_id: str) -> dict[str, object]:
    """One stored product.

    Raises:
        NotFoundError: unknown product.
    """
    product = store.products.get(product_id)
    if product is None:
        raise NotFoundError(f"There is no product {product_id!r}.")
    released = product.get("released_at")
    if isinstance(released, datetime):
        product["released_at"] = released.date()
    elif released is not None and not isinstance(released, date):
        product["released_at"] = date.fromisoformat(str(released)[:10])
    return product
