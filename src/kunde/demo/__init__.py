"""A deterministic, realistic synthetic shop: the demo's data and the tests' data source.

>>> shop = generate_shop(seed=7, customers=200)
>>> paths = write_shop(shop, directory)  # products.csv, orders.csv, events.csv

Same seed, same arguments: the same shop, byte for byte.
"""

from __future__ import annotations

from kunde.demo._catalog import NEW_RELEASE_DAYS
from kunde.demo._files import EVENT_COLUMNS, ORDER_COLUMNS, PRODUCT_COLUMNS, write_shop
from kunde.demo._shop import DEMO_TODAY, DemoShop, generate_shop

__all__ = [
    "DEMO_TODAY",
    "EVENT_COLUMNS",
    "NEW_RELEASE_DAYS",
    "ORDER_COLUMNS",
    "PRODUCT_COLUMNS",
    "DemoShop",
    "generate_shop",
    "write_shop",
]
