"""The canonical files and the domain models the shop converts to."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from kunde.catalog import ProductIn
from kunde.demo import (
    EVENT_COLUMNS,
    ORDER_COLUMNS,
    PRODUCT_COLUMNS,
    DemoShop,
    write_shop,
)
from kunde.identity import CustomerProfile, EventIn
from kunde.orders import OrderIn


def test_files_have_the_documented_headers_and_parse(shop: DemoShop, tmp_path: Path) -> None:
    paths = write_shop(shop, tmp_path)
    expected = {"products": PRODUCT_COLUMNS, "orders": ORDER_COLUMNS, "events": EVENT_COLUMNS}
    tables = {"products": shop.products, "orders": shop.lines, "events": shop.events}
    for name, path in paths.items():
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert tuple(rows[0]) == expected[name]
        assert len(rows) - 1 == tables[name].num_rows
        assert all(len(row) == len(rows[0]) for row in rows)
    with paths["orders"].open(encoding="utf-8", newline="") as handle:
        first = next(csv.DictReader(handle))
    assert first["ordered_at"][10] == "T"
    assert first["is_gift"] in {"true", "false"}
    assert float(first["unit_price"]) > 0


def test_rows_are_valid_domain_models(shop: DemoShop) -> None:
    assert len(shop.product_models()) == shop.products.num_rows
    assert all(isinstance(p, ProductIn) for p in shop.product_models())
    profiles = shop.profiles()
    assert len(profiles) == shop.customers.num_rows
    assert all(isinstance(p, CustomerProfile) and p.addresses for p in profiles)
    for row in shop.events.slice(0, 2000).to_pylist():
        row["properties"] = json.loads(row["properties"]) if row["properties"] else None
        EventIn(**row)
    orders = shop.order_models()
    assert sum(len(order.lines) for order in orders) == shop.lines.num_rows
    assert len(orders) == len(set(shop.lines["order_id"].to_pylist()))
    assert all(isinstance(order, OrderIn) for order in orders)
