"""Two years of orders: when customers buy, on which channel, what, and what comes back.

Purchase days come from the BG/NBD process (:mod:`kunde.demo._purchases`), basket contents
from :mod:`kunde.demo._baskets`. Around Christmas and in the two weeks before a family
birthday, orders often hold a present. Some lines come back 3 to 28 days later as a return
order (negative quantities of the same products); some orders are anonymous (walk-in store
customers and guest checkouts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kunde.demo._baskets import fill_baskets
from kunde.demo._calendar import day_of_year, month_of, weekday_of
from kunde.demo._catalog import Catalog
from kunde.demo._categories import LEAVES
from kunde.demo._customers import CHANNEL_MIX, CHANNELS, STORES, Customers
from kunde.demo._purchases import clock_times, draw_purchases

__all__ = ["OrderHistory", "make_orders"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_STORE, _CALL_CENTRE = CHANNELS.index("store"), CHANNELS.index("call_centre")
_RETURNS = np.array([leaf.returns for leaf in LEAVES])
_STORE_COUNTRY = np.array([s[2] for s in STORES])


@dataclass(frozen=True)
class OrderHistory:
    """Every order line as parallel arrays, sorted by time, then order, then position."""

    order_id: list[str]
    customer: IntArray
    """Customer index, -1 for an anonymous order."""
    at: IntArray
    """Seconds since 1970-01-01 (the shop's local time)."""
    channel: IntArray
    store: IntArray
    """Store index for store orders, else -1."""
    product: IntArray
    """Product index into the catalog, or :data:`POSTAGE`."""
    quantity: IntArray
    unit_cents: IntArray
    is_gift: BoolArray
    is_return: BoolArray
    planned_purchases: IntArray
    """Per customer: purchases they would make before lapsing (0: registered, never bought)."""
    purchases_before: IntArray
    """Per customer: purchases before the history starts (not in it)."""
    observed_purchases: IntArray
    """Per customer: purchases (orders) in the history."""
    alive: BoolArray
    """Per customer: not yet lapsed at today (more purchases were planned than made)."""


def make_orders(
    rng: np.random.Generator,
    catalog: Catalog,
    customers: Customers,
    today_day: int,
    history_days: int,
    anonymous_share: float,
) -> OrderHistory:
    """Draw the order history up to the day before ``today_day``."""
    first_day = today_day - history_days
    purchases = draw_purchases(rng, customers, today_day, history_days, anonymous_share)
    o_customer, o_day = purchases.customer, purchases.day
    anonymous = o_customer < 0
    n_orders = o_customer.size
    known = np.maximum(o_customer, 0)

    # --- channel, store, time of day ---
    mixed = (rng.random(n_orders)[:, None] > np.cumsum(CHANNEL_MIX)).sum(axis=1)
    channel = np.where(rng.random(n_orders) < 0.75, customers.channel[known], mixed)
    channel = np.where(anonymous, np.where(rng.random(n_orders) < 0.6, _STORE, 0), channel)
    channel = np.minimum(channel, len(CHANNELS) - 1).astype(np.int64)
    sunday = (channel == _STORE) & (weekday_of(o_day) == 6)  # German stores close on Sundays
    o_day = np.where(sunday, np.where(o_day > first_day, o_day - 1, o_day + 1), o_day)
    guest_country = np.where(rng.random(n_orders) < 0.65, "DE", "GB")
    country = np.where(anonymous, guest_country, np.array(customers.country)[known])
    same_country = rng.random((n_orders, len(STORES))) * (country[:, None] == _STORE_COUNTRY)
    store = np.where(
        anonymous | (rng.random(n_orders) < 0.15),
        same_country.argmax(axis=1),
        customers.home_store[known],
    )
    store = np.where(channel == _STORE, store, -1).astype(np.int64)
    o_at = o_day * 86400 + clock_times(rng, channel)

    # --- presents: before Christmas and family birthdays ---
    doy = day_of_year(o_day)
    near_occasion = (((customers.occasions[known] - doy[:, None]) % 365) <= 14).any(axis=1)
    month = month_of(o_day)
    christmas = ((month == 10) & (doy % 366 >= 324)) | ((month == 11) & (doy % 366 <= 357))
    gift_chance = np.where(christmas, 0.3, np.where(near_occasion & ~anonymous, 0.3, 0.03))
    gift_order = rng.random(n_orders) < gift_chance

    baskets = fill_baskets(rng, catalog, customers, o_customer, o_day, channel, gift_order)
    line_order, position = baskets.order, baskets.position
    product, quantity = baskets.product, baskets.quantity
    unit_cents, line_gift = baskets.unit_cents, baskets.is_gift

    # --- returns: a later order with negative quantities of the same products ---
    is_product = product >= 0
    chance = np.where(is_product, _RETURNS[catalog.leaf[np.maximum(product, 0)]], 0.0)
    chance *= np.where(line_gift, 1.5, 1.0)
    back_after = rng.integers(3, 29, n_orders)
    back_day = o_day + back_after
    returned = (rng.random(product.size) < chance) & ~anonymous[line_order]
    returned &= back_day[line_order] < today_day
    r_lines = np.flatnonzero(returned)
    r_source, r_order = np.unique(line_order[r_lines], return_inverse=True)
    r_quantity = -np.where(
        (quantity[r_lines] > 1) & (rng.random(r_lines.size) < 0.4), 1, quantity[r_lines]
    )
    r_channel = channel[r_source]
    r_channel = np.where(r_channel == _CALL_CENTRE, 0, r_channel)
    r_store = np.where(r_channel == _STORE, store[r_source], -1)
    r_day = back_day[r_source]
    r_day = np.where((r_channel == _STORE) & (weekday_of(r_day) == 6), r_day - 1, r_day)
    r_at = r_day * 86400 + clock_times(rng, np.where(r_channel < _STORE, _CALL_CENTRE, r_channel))

    # --- order ids in time order: O... for purchases, R... for returns ---
    purchase_rank = np.empty(n_orders, dtype=np.int64)
    purchase_rank[np.lexsort((np.arange(n_orders), o_at))] = np.arange(n_orders)
    return_rank = np.empty(r_source.size, dtype=np.int64)
    return_rank[np.lexsort((np.arange(r_source.size), r_at))] = np.arange(r_source.size)
    purchase_ids = np.char.add("O", (1_000_001 + purchase_rank).astype(str))
    return_ids = np.char.add("R", (1_000_001 + return_rank).astype(str))

    all_order = np.concatenate([line_order, n_orders + r_order])
    all_at = np.concatenate([o_at, r_at])[all_order]
    all_position = np.concatenate([position, position[r_lines]])
    rank = np.concatenate([purchase_rank, n_orders + return_rank])[all_order]
    order = np.lexsort((all_position, rank, all_at))
    ids = np.concatenate([purchase_ids, return_ids])[all_order][order]
    return OrderHistory(
        order_id=ids.tolist(),
        customer=np.concatenate([o_customer, o_customer[r_source]])[all_order][order],
        at=all_at[order].astype(np.int64),
        channel=np.concatenate([channel, r_channel])[all_order][order].astype(np.int64),
        store=np.concatenate([store, r_store])[all_order][order].astype(np.int64),
        product=np.concatenate([product, product[r_lines]])[order],
        quantity=np.concatenate([quantity, r_quantity])[order].astype(np.int64),
        unit_cents=np.concatenate([unit_cents, unit_cents[r_lines]])[order],
        is_gift=np.concatenate([line_gift, line_gift[r_lines]])[order],
        is_return=np.concatenate(
            [np.zeros(product.size, dtype=bool), np.ones(r_lines.size, dtype=bool)]
        )[order],
        planned_purchases=purchases.planned,
        purchases_before=purchases.before,
        observed_purchases=purchases.observed,
        alive=purchases.planned > purchases.before + purchases.observed,
    )
