"""What goes into a basket, drawn for all orders at once.

Baskets start in the buyer's favourite interests (by season: garden in summer, tea in winter),
pull in complements (a coffee machine brings beans, often the same beans: each product has its
usual partner), repeat the buyer's usual consumables, and in gift orders hold a present from an
interest that is not the buyer's own. Prices follow the catalog with sale discounts in January
and on Black Friday; shipped orders under the free-shipping threshold get a postage line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kunde.demo._calendar import black_weekend_days, day_of_year, month_of
from kunde.demo._catalog import Catalog
from kunde.demo._categories import COMPLEMENTS, LEAVES, SEASONS, interest_of
from kunde.demo._customers import CHANNELS, INTERESTS, Customers

__all__ = ["POSTAGE", "Baskets", "fill_baskets", "leaf_weights"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

POSTAGE = -1
"""Product index of a postage line (product id ``POST``)."""
POSTAGE_CENTS = 495
FREE_SHIPPING_CENTS = 5000
_STORE = CHANNELS.index("store")

_LEAF_INTEREST = np.array([INTERESTS.index(interest_of(leaf.path)) for leaf in LEAVES])
_SHARE = np.array([leaf.share for leaf in LEAVES])
_SHARE_IN_INTEREST = _SHARE / np.bincount(_LEAF_INTEREST, weights=_SHARE)[_LEAF_INTEREST]
_SEASON = np.stack([SEASONS[leaf.season] for leaf in LEAVES], axis=1)  # (12, leaves)
_GIFT = np.array([leaf.gift for leaf in LEAVES])
_CONSUMABLE = np.array([leaf.consumable for leaf in LEAVES])


def _complement_matrix() -> FloatArray:
    index = {leaf.path: i for i, leaf in enumerate(LEAVES)}
    matrix = np.zeros((len(LEAVES), len(LEAVES)))
    for path, targets in COMPLEMENTS.items():
        for target, chance in targets:
            matrix[index[path], index[target]] = chance
    return matrix


_COMPLEMENT = _complement_matrix()


_COMPLEMENT = _complement_matrix()


def leaf_weights(affinity: FloatArray) -> FloatArray:
    """Per row, how likely each leaf is given interest affinities (one row per customer)."""
    return np.asarray(affinity[:, _LEAF_INTEREST] * _SHARE_IN_INTEREST, dtype=np.float64)


def _sample_rows(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """One column index per row, drawn in proportion to the row's weights."""
    cumulative = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cumulative[:, -1]
    picks = (cumulative <= u[:, None]).sum(axis=1)
    return np.asarray(np.minimum(picks, weights.shape[1] - 1), dtype=np.int64)


@dataclass(frozen=True)
class Baskets:
    """Order lines as parallel arrays (in no particular order)."""

    order: IntArray
    """Index of the line's order."""
    position: IntArray
    """Sort key of the line within its order."""
    product: IntArray
    """Product index, or :data:`POSTAGE`."""
    quantity: IntArray
    unit_cents: IntArray
    is_gift: BoolArray


def fill_baskets(
    rng: np.random.Generator,
    catalog: Catalog,
    customers: Customers,
    customer: IntArray,
    day: IntArray,
    channel: IntArray,
    gift_order: BoolArray,
) -> Baskets:
    """Draw the lines of every order.

    Args:
        rng: random source.
        catalog: what is sold.
        customers: who buys.
        customer: per order, the customer index (-1: anonymous).
        day: per order, its day number.
        channel: per order, its channel index.
        gift_order: per order, whether it holds a present.
    """
    n_orders = customer.size
    anonymous = customer < 0
    known = np.maximum(customer, 0)
    month = month_of(day)
    # --- what they like: interests per order (anonymous orders: one random interest) ---
    affinity = customers.affinity[known].copy()
    favourite = customers.favourite[known].copy()
    popularity = customers.affinity.mean(axis=0) + 1e-3
    popularity /= popularity.sum()
    guest = rng.choice(len(INTERESTS), n_orders, p=popularity)
    affinity[anonymous] = 0.0
    affinity[anonymous, guest[anonymous]] = 1.0
    favourite[anonymous] = False
    favourite[anonymous, guest[anonymous]] = True

    spend = np.where(anonymous, 1.0, customers.spend[known])
    extra = rng.poisson(0.3 + 0.3 * spend + 0.3 * (channel == _STORE))
    basket = 1 + np.minimum(extra, 5)
    line_order = np.repeat(np.arange(n_orders), basket)
    position = np.arange(line_order.size) - np.repeat(np.cumsum(basket) - basket, basket)
    line_gift = gift_order[line_order] & (position == 0)
    leaf = np.empty(line_order.size, dtype=np.int64)
    mine, given = np.flatnonzero(~line_gift), np.flatnonzero(line_gift)
    # own shopping: mostly the favourite interests, a little of everything, by season
    own = 0.88 * affinity[line_order[mine]][:, _LEAF_INTEREST] + 0.12 * popularity[_LEAF_INTEREST]
    leaf[mine] = _sample_rows(rng, own * _SHARE_IN_INTEREST * _SEASON[month[line_order[mine]]])
    # presents: only interests that are not the buyer's own
    not_theirs = ~favourite[line_order[given]][:, _LEAF_INTEREST]
    leaf[given] = _sample_rows(rng, _GIFT * _SEASON[month[line_order[given]]] * not_theirs)
    line_day = day[line_order]
    product = catalog.sample(rng, leaf, line_day)

    # consumables: most customers stick to their usual beans, food, litter
    usual_line = _CONSUMABLE[leaf] & ~line_gift & ~anonymous[line_order]
    usual_line &= rng.random(leaf.size) < 0.7
    key = customer[line_order] * len(LEAVES) + leaf
    keys, inverse = np.unique(key[usual_line], return_inverse=True)
    first_seen = np.full(keys.size, np.iinfo(np.int64).max)
    np.minimum.at(first_seen, inverse, line_day[usual_line])
    usual = catalog.sample(rng, keys % len(LEAVES), first_seen)
    product[usual_line] = usual[inverse]

    # complements: each line may pull in its complementary leaves' partner products
    pulled = rng.random((leaf.size, len(LEAVES))) < _COMPLEMENT[leaf]
    base, target = np.nonzero(pulled)
    c_day = line_day[base]
    c_product = catalog.sample(rng, target, c_day)
    partner = catalog.partner[product[base], target]
    use_partner = (partner >= 0) & (rng.random(base.size) < 0.6)
    use_partner &= catalog.released_day[np.maximum(partner, 0)] <= c_day
    c_product = np.where(use_partner, partner, c_product)
    c_gift = line_gift[base] & ~favourite[line_order[base], _LEAF_INTEREST[target]]

    line_order = np.concatenate([line_order, line_order[base]])
    position = np.concatenate([position, 10 + position[base] * len(LEAVES) + target])
    product = np.concatenate([product, c_product])
    line_gift = np.concatenate([line_gift, c_gift])
    # one line per product and order: keep the first
    _, first = np.unique(line_order * catalog.leaf.size + product, return_index=True)
    line_order, position = line_order[first], position[first]
    product, line_gift = product[first], line_gift[first]
    leaf = catalog.leaf[product]

    quantity = np.where(
        _CONSUMABLE[leaf],
        1 + np.minimum(rng.poisson(0.5, product.size), 5),
        1 + (rng.random(product.size) < 0.03),
    ).astype(np.int64)
    line_day = day[line_order]
    sale = (month_of(line_day) == 0) & (day_of_year(line_day) <= 15)
    sale |= np.isin(line_day, black_weekend_days(line_day))
    discount = np.where(
        rng.random(product.size) < np.where(sale, 0.35, 0.08),
        np.where(sale, 0.2, 0.1),
        0.0,
    )
    unit_cents = np.round(catalog.price_cents[product] * (1 - discount)).astype(np.int64)

    # postage on shipped orders under the free-shipping threshold
    subtotal = np.bincount(line_order, weights=unit_cents * quantity, minlength=n_orders)
    shipped = np.flatnonzero((channel != _STORE) & (subtotal < FREE_SHIPPING_CENTS))
    line_order = np.concatenate([line_order, shipped])
    position = np.concatenate([position, np.full(shipped.size, 10_000)])
    product = np.concatenate([product, np.full(shipped.size, POSTAGE)])
    quantity = np.concatenate([quantity, np.ones(shipped.size, dtype=np.int64)])
    unit_cents = np.concatenate([unit_cents, np.full(shipped.size, POSTAGE_CENTS)])
    line_gift = np.concatenate([line_gift, np.zeros(shipped.size, dtype=bool)])

    return Baskets(
        order=line_order,
        position=position,
        product=product,
        quantity=quantity,
        unit_cents=unit_cents,
        is_gift=line_gift,
    )
