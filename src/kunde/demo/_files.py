"""Writing the demo shop as canonical input files (DESIGN.md "Input formats")."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kunde.demo._shop import DemoShop
from kunde.orders import EVENT_FIELDS, ORDER_FIELDS, PRODUCT_FIELDS

__all__ = ["EVENT_COLUMNS", "ORDER_COLUMNS", "PRODUCT_COLUMNS", "write_shop"]

# The demo files leave out the optional fields the shop does not fill (product details come
# from products.csv; amount is derived from quantity and unit_price).
ORDER_COLUMNS: tuple[str, ...] = tuple(
    f for f in ORDER_FIELDS if f not in {"amount", "product_name", "category", "brand"}
)
"""Header of ``orders.csv`` (canonical order lines, DESIGN.md "Input formats")."""
PRODUCT_COLUMNS: tuple[str, ...] = PRODUCT_FIELDS
"""Header of ``products.csv``."""
EVENT_COLUMNS: tuple[str, ...] = tuple(f for f in EVENT_FIELDS if f != "device_id")
"""Header of ``events.csv``."""


def write_shop(shop: DemoShop, directory: Path) -> dict[str, Path]:
    """Write ``products.csv``, ``orders.csv`` and ``events.csv`` in the canonical formats.

    The same shop always gives byte-identical files.

    Returns:
        ``{"products": path, "orders": path, "events": path}``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    products = shop.products
    lines = shop.lines
    events = shop.events
    files = {
        "products": (
            PRODUCT_COLUMNS,
            {
                **_strings(products, ("product_id", "name", "category", "brand", "description")),
                "price": _money(products["price"]),
                "released_at": pc.cast(products["released_at"], pa.string()).to_pylist(),
            },
        ),
        "orders": (
            ORDER_COLUMNS,
            {
                **_strings(
                    lines,
                    ("customer_id", "order_id", "product_id", "currency", "channel"),
                ),
                **_strings(lines, ("store_id", "country")),
                "ordered_at": _timestamps(lines["ordered_at"]),
                "quantity": pc.cast(lines["quantity"], pa.string()).to_pylist(),
                "unit_price": _money(lines["unit_price"]),
                "is_gift": np.where(lines["is_gift"].to_numpy(), "true", "false").tolist(),
            },
        ),
        "events": (
            EVENT_COLUMNS,
            {
                **_strings(
                    events,
                    (
                        "event_id",
                        "type",
                        "customer_id",
                        "anonymous_id",
                        "touchpoint",
                        "product_id",
                        "properties",
                    ),
                ),
                "occurred_at": _timestamps(events["occurred_at"]),
            },
        ),
    }
    paths: dict[str, Path] = {}
    for name, (header, columns) in files.items():
        path = directory / f"{name}.csv"
        temporary = path.with_suffix(".csv.tmp")
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(zip(*(columns[column] for column in header), strict=True))
        temporary.replace(path)
        paths[name] = path
    return paths


def _strings(table: pa.Table, names: Sequence[str]) -> dict[str, list[str | None]]:
    return {name: table[name].to_pylist() for name in names}


def _money(values: pa.ChunkedArray) -> list[str]:
    cents = np.round(values.to_numpy() * 100).astype(np.int64)
    sign = np.where(cents < 0, "-", "")
    whole = np.char.add(sign, (np.abs(cents) // 100).astype(str))
    text = np.char.add(np.char.add(whole, "."), np.char.zfill((np.abs(cents) % 100).astype(str), 2))
    return [str(value) for value in text.tolist()]


def _timestamps(values: pa.ChunkedArray) -> list[str]:
    seconds = values.to_numpy().astype("datetime64[s]")
    return np.datetime_as_string(seconds, unit="s").tolist()  # type: ignore[no-any-return]
