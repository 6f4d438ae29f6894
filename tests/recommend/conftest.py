"""Synthetic order lines with a planted co-purchase structure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray

from kunde.recommend import Interactions, build_interactions


@dataclass
class Lines:
    """Parallel arrays of order lines plus the planted truth."""

    customer: NDArray[np.int64]
    basket: NDArray[np.int64]
    item: NDArray[np.int64]
    day: NDArray[np.int64]
    quantity: NDArray[np.float64]
    is_gift: NDArray[np.bool_]
    kind: NDArray[np.str_]
    n_customers: int
    n_baskets: int
    n_items: int
    group_of_item: NDArray[np.int64]
    category: NDArray[np.int64]

    def interactions(self, mask: NDArray[np.bool_] | None = None) -> Interactions:
        m = np.ones(len(self.item), dtype=bool) if mask is None else mask
        return build_interactions(
            self.customer[m],
            self.basket[m],
            self.item[m],
            self.day[m],
            self.quantity[m],
            self.is_gift[m],
            self.kind[m],
            n_customers=self.n_customers,
            n_baskets=self.n_baskets,
            n_items=self.n_items,
        )


def planted_lines(
    rng: np.random.Generator,
    *,
    n_groups: int = 8,
    group_size: int = 6,
    n_customers: int = 300,
    baskets_per_customer: int = 6,
    days: int = 120,
) -> Lines:
    """Customers each like one group of products and buy 2-4 of its products per basket.

    Items of a group alternate between two categories (so a group holds complements across
    categories and substitutes within one). Every basket also holds one random product as noise.
    """
    n_items = n_groups * group_size
    group_of_item = np.repeat(np.arange(n_groups), group_size)
    category = group_of_item * 2 + (np.arange(n_items) % 2)
    taste = rng.integers(0, n_groups, size=n_customers)
    n_baskets = n_customers * baskets_per_customer
    basket_customer = np.repeat(np.arange(n_customers), baskets_per_customer)
    basket_day = rng.integers(0, days, size=n_baskets)
    sizes = rng.integers(2, 5, size=n_baskets)
    b = np.repeat(np.arange(n_baskets), sizes)
    offset = rng.integers(0, group_size, size=len(b))
    item = taste[basket_customer[b]] * group_size + offset
    noise = rng.integers(0, n_items, size=n_baskets)
    basket = np.concatenate([b, np.arange(n_baskets)])
    item = np.concatenate([item, noise])
    n = len(item)
    return Lines(
        customer=basket_customer[basket].astype(np.int64),
        basket=basket.astype(np.int64),
        item=item.astype(np.int64),
        day=basket_day[basket].astype(np.int64),
        quantity=np.ones(n),
        is_gift=np.zeros(n, dtype=bool),
        kind=np.full(n, "product"),
        n_customers=n_customers,
        n_baskets=n_baskets,
        n_items=n_items,
        group_of_item=group_of_item,
        category=category.astype(np.int64),
    )


@pytest.fixture
def planted(rng: np.random.Generator) -> Lines:
    """The default planted data set."""
    return planted_lines(rng, group_size=12)
