"""The demo shop: generated from a seed, kept as pyarrow tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from kunde.catalog import ProductIn
from kunde.demo._calendar import day_number
from kunde.demo._catalog import make_catalog
from kunde.demo._categories import COMPLEMENTS, LEAVES
from kunde.demo._customers import CHANNELS, INTERESTS, STORES, make_customers
from kunde.demo._events import EVENT_TYPES, PROPERTIES, TOUCHPOINTS, Events, make_events
from kunde.demo._orders import OrderHistory, make_orders
from kunde.identity import Address, CustomerProfile
from kunde.orders import LineIn, OrderIn

__all__ = ["DEMO_TODAY", "DemoShop", "generate_shop"]

DEMO_TODAY = date(2026, 11, 1)
"""The demo's fixed "today": every date is relative to it, never to the wall clock."""

POSTAGE_PRODUCT_ID = "POST"
CURRENCY = "EUR"


@dataclass(frozen=True)
class DemoShop:
    """A generated shop, as pyarrow tables usable without a database.

    ``lines`` holds one row per order line (returns have negative quantities and their own
    order ids starting with ``R``; postage lines have product id ``POST``; anonymous orders a
    null customer id). ``truth`` holds what generated each customer's behaviour, for tests
    that check models against it.
    """

    seed: int
    today: date
    products: pa.Table
    """product_id, name, category, brand, price, released_at, description."""
    customers: pa.Table
    """customer_id, given_name, family_name, salutation, title, gender, language, formality,
    email, phone, country, street, postal_code, city."""
    lines: pa.Table
    """The canonical order line columns (``ORDER_COLUMNS``), typed: ordered_at a timestamp,
    is_gift a bool, unit_price a float."""
    events: pa.Table
    """The events file's columns (``EVENT_COLUMNS``); properties as JSON text."""
    truth: pa.Table
    """customer_id, favourite_interests, purchase_rate (per day), dropout_probability,
    planned_purchases, observed_purchases, purchases_before (the history), alive (at ``today``),
    acquired_at."""
    stores: pa.Table
    """store_id, city, country."""

    @property
    def categories(self) -> tuple[str, ...]:
        """Every leaf category path of the tree."""
        return tuple(leaf.path for leaf in LEAVES)

    @property
    def interests(self) -> tuple[str, ...]:
        """The two-level category paths customers have as favourites."""
        return INTERESTS

    @property
    def complements(self) -> dict[str, tuple[tuple[str, float], ...]]:
        """Leaf → complementary leaves with the chance a basket pulls them in."""
        return COMPLEMENTS

    def profiles(self) -> list[CustomerProfile]:
        """The customers as :class:`~kunde.identity.CustomerProfile` models."""
        return [
            CustomerProfile(
                customer_id=row["customer_id"],
                given_name=row["given_name"],
                family_name=row["family_name"],
                salutation=row["salutation"],
                title=row["title"],
                language=row["language"],
                formality=row["formality"],
                email=row["email"],
                phone=row["phone"],
                country=row["country"],
                addresses=[
                    Address(
                        kind="delivery",
                        name=" ".join(
                            part
                            for part in (row["title"], row["given_name"], row["family_name"])
                            if part
                        ),
                        street=row["street"],
                        postal_code=row["postal_code"],
                        city=row["city"],
                        country=row["country"],
                    )
                ],
            )
            for row in self.customers.to_pylist()
        ]

    def product_models(self) -> list[ProductIn]:
        """The catalog as :class:`~kunde.catalog.ProductIn` models."""
        return [ProductIn(**row) for row in self.products.to_pylist()]

    def order_models(self) -> list[OrderIn]:
        """The orders as :class:`~kunde.orders.OrderIn` models (as ``POST /v1/orders`` takes)."""
        orders: list[OrderIn] = []
        rows = self.lines.to_pylist()  # the lines of an order are next to each other
        for _, group in groupby(rows, key=itemgetter("order_id")):
            lines = list(group)
            head = lines[0]
            orders.append(
                OrderIn(
                    order_id=head["order_id"],
                    customer_id=head["customer_id"],
                    ordered_at=head["ordered_at"],
                    channel=head["channel"],
                    store_id=head["store_id"],
                    currency=head["currency"],
                    country=head["country"],
                    lines=[
                        LineIn(
                            product_id=line["product_id"],
                            quantity=line["quantity"],
                            unit_price=line["unit_price"],
                            is_gift=line["is_gift"],
                        )
                        for line in lines
                    ],
                )
            )
        return orders


def generate_shop(
    seed: int = 7,
    customers: int = 2000,
    *,
    today: date = DEMO_TODAY,
    history_days: int = 730,
    products: int = 500,
    event_days: int = 90,
    anonymous_share: float = 0.07,
) -> DemoShop:
    """Generate a demo shop; the same arguments always give the same shop.

    Args:
        seed: random seed.
        customers: number of registered customers (about 5 % never buy).
        today: the demo's today; orders and events end the day before.
        history_days: length of the order history.
        products: approximate catalog size.
        event_days: how far back behavioural events go.
        anonymous_share: share of orders placed without a customer id.

    Returns:
        The shop as tables (see :class:`DemoShop`).
    """
    if customers < 1 or products < len(LEAVES) or history_days < 60 or event_days < 1:
        raise ValueError(
            "generate_shop needs customers >= 1, products >= "
            f"{len(LEAVES)}, history_days >= 60 and event_days >= 1."
        )
    if not 0 <= anonymous_share < 1:
        raise ValueError("anonymous_share must be at least 0 and below 1.")
    catalog_rng, customer_rng, order_rng, event_rng = np.random.default_rng(seed).spawn(4)
    today_day = day_number(today)
    catalog = make_catalog(catalog_rng, products, today_day, history_days)
    people = make_customers(customer_rng, customers, today_day, history_days)
    history = make_orders(order_rng, catalog, people, today_day, history_days, anonymous_share)
    events = make_events(event_rng, history, catalog, people, today_day, event_days)

    customer_ids = pa.array(people.customer_id, pa.string())
    product_ids = pa.array([*catalog.product_id, POSTAGE_PRODUCT_ID], pa.string())
    return DemoShop(
        seed=seed,
        today=today,
        products=catalog.products,
        customers=people.table,
        lines=_lines_table(history, customer_ids, product_ids, people.country),
        events=_events_table(events, customer_ids, product_ids),
        truth=pa.table(
            {
                "customer_id": customer_ids,
                "favourite_interests": _favourites(people.favourite),
                "purchase_rate": pa.array(people.purchase_rate, pa.float64()),
                "dropout_probability": pa.array(people.dropout, pa.float64()),
                "planned_purchases": pa.array(history.planned_purchases, pa.int64()),
                "observed_purchases": pa.array(history.observed_purchases, pa.int64()),
                "purchases_before": pa.array(history.purchases_before, pa.int64()),
                "alive": pa.array(history.alive, pa.bool_()),
                "acquired_at": _days(people.acquired_day),
            }
        ),
        stores=pa.table(
            {
                "store_id": [s[0] for s in STORES],
                "city": [s[1] for s in STORES],
                "country": [s[2] for s in STORES],
            }
        ),
    )


def _favourites(favourite: npt.NDArray[np.bool_]) -> pa.Array:
    """Each customer's favourite interests as a list column."""
    rows, columns = np.nonzero(favourite)  # row-major: each customer's interests together
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=favourite.shape[0]))])
    values = _take(pa.array(INTERESTS, pa.string()), columns.astype(np.int64))
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values)


def _days(days: npt.NDArray[np.int64]) -> pa.Array:
    return pa.array(days, pa.int32()).cast(pa.date32())


def _seconds(seconds: npt.NDArray[np.int64]) -> pa.Array:
    return pa.array(seconds, pa.int64()).cast(pa.timestamp("s"))


def _take(values: pa.Array, index: npt.NDArray[np.int64]) -> pa.Array:
    """``values[index]``, null where ``index`` is -1."""
    return pc.take(values, pa.array(index, pa.int64(), mask=index < 0))


def _lines_table(
    history: OrderHistory,
    customer_ids: pa.Array,
    product_ids: pa.Array,
    customer_country: Sequence[str],
) -> pa.Table:
    store_country = np.array([s[2] for s in STORES])
    country = np.where(
        history.customer >= 0,
        np.array(customer_country)[np.maximum(history.customer, 0)],
        np.where(history.store >= 0, store_country[np.maximum(history.store, 0)], "DE"),
    )
    product = np.where(history.product >= 0, history.product, len(product_ids) - 1)
    return pa.table(
        {
            "customer_id": _take(customer_ids, history.customer),
            "ordered_at": _seconds(history.at),
            "order_id": pa.array(history.order_id, pa.string()),
            "product_id": _take(product_ids, product),
            "quantity": pa.array(history.quantity, pa.int64()),
            "unit_price": pa.array(history.unit_cents / 100.0, pa.float64()),
            "currency": pa.array(np.full(history.at.size, CURRENCY), pa.string()),
            "channel": _take(pa.array(CHANNELS, pa.string()), history.channel),
            "store_id": _take(pa.array([s[0] for s in STORES], pa.string()), history.store),
            "country": pa.array(country, pa.string()),
            "is_gift": pa.array(history.is_gift, pa.bool_()),
        }
    )


def _events_table(events: Events, customer_ids: pa.Array, product_ids: pa.Array) -> pa.Table:
    joined = events.concatenated()
    size = joined["at"].size
    return pa.table(
        {
            "event_id": pa.array(
                np.char.add("E", (1_000_001 + np.arange(size)).astype(str)), pa.string()
            ),
            "occurred_at": _seconds(joined["at"]),
            "type": _take(pa.array(EVENT_TYPES, pa.string()), joined["kind"]),
            "customer_id": _take(customer_ids, joined["customer"]),
            "anonymous_id": _take(pa.array(events.anonymous_ids, pa.string()), joined["anonymous"]),
            "touchpoint": _take(pa.array(TOUCHPOINTS, pa.string()), joined["touchpoint"]),
            "product_id": _take(product_ids, joined["product"]),
            "properties": _take(pa.array(PROPERTIES, pa.string()), joined["properties"]),
        }
    )
