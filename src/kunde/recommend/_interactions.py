"""Interaction matrices built from order lines.

Two sparse views of the same order lines feed every recommender:

* the **profile** matrix, customer × product: what each known customer bought for themselves.
  Gift lines never shape a profile, and neither do non-product lines ('fee', 'adjustment') or
  returns (quantity ≤ 0). Each line can be weighted by an exponential time decay so that old
  interests fade.
* the **basket** matrix, basket × product: which products were bought together in one order.
  Anonymous orders (customer index -1) count here too, since co-purchase does not need to know
  who bought. Non-product lines and returns are left out; gift lines stay in, because the
  products of a gift order were still bought together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from kunde.errors import InvalidFieldError

__all__ = ["Interactions", "build_interactions", "decay_weights"]

PRODUCT_KIND = "product"


@dataclass(frozen=True)
class Interactions:
    """The usable order lines of a shop, ready to become sparse matrices.

    Holds the filtered lines as parallel arrays; :meth:`profile_matrix` and
    :meth:`basket_matrix` turn them into CSR matrices with the time decay a model asks for.

    Attributes:
        profile_customer, profile_item, profile_day: the customers' own product purchases
            (gifts, non-product lines, returns and anonymous orders left out).
        basket_row, basket_item, basket_day: product lines of all orders, anonymous included,
            each dated by the last day of its basket.
        n_customers, n_baskets, n_items: matrix shapes.
        as_of_day: the day time decay is measured from.
    """

    profile_customer: NDArray[np.int64]
    profile_item: NDArray[np.int64]
    profile_day: NDArray[np.int64]
    basket_row: NDArray[np.int64]
    basket_item: NDArray[np.int64]
    basket_day: NDArray[np.int64]
    n_customers: int
    n_baskets: int
    n_items: int
    as_of_day: int

    def profile_matrix(self, half_life_days: float | None = None) -> sp.csr_matrix:
        """Customer × product CSR (float32): summed line weights, decayed if asked."""
        w = decay_weights(self.profile_day, self.as_of_day, half_life_days)
        m = sp.csr_matrix(
            (w, (self.profile_customer, self.profile_item)),
            shape=(self.n_customers, self.n_items),
            dtype=np.float32,
        )
        m.sum_duplicates()
        return m

    def basket_matrix(self, half_life_days: float | None = None) -> sp.csr_matrix:
        """Basket × product CSR (float32): presence of the product, decayed by basket age.

        A product listed on several lines of one basket still counts once.
        """
        m = sp.csr_matrix(
            (np.ones(len(self.basket_row), dtype=np.float32), (self.basket_row, self.basket_item)),
            shape=(self.n_baskets, self.n_items),
            dtype=np.float32,
        )
        m.sum_duplicates()
        row_day = np.zeros(self.n_baskets, dtype=np.int64)
        np.maximum.at(row_day, self.basket_row, self.basket_day)
        w = decay_weights(row_day, self.as_of_day, half_life_days)
        m.data = np.repeat(w, np.diff(m.indptr))
        return m

    def restrict(self, before_day: int) -> Interactions:
        """The lines before ``before_day``; decay is measured from the day before it."""
        p = self.profile_day < before_day
        b = self.basket_day < before_day
        return Interactions(
            self.profile_customer[p],
            self.profile_item[p],
            self.profile_day[p],
            self.basket_row[b],
            self.basket_item[b],
            self.basket_day[b],
            self.n_customers,
            self.n_baskets,
            self.n_items,
            before_day - 1,
        )


def decay_weights(
    day: NDArray[np.int64], as_of_day: int, half_life_days: float | None
) -> NDArray[np.float32]:
    """Exponential time decay: 1.0 on ``as_of_day``, 0.5 one half-life earlier.

    Args:
        day: day numbers of the events.
        as_of_day: the reference day (usually the last day of the training data).
        half_life_days: half-life in days; ``None`` or ``inf`` switches decay off.
    """
    if half_life_days is None or not np.isfinite(half_life_days):
        return np.ones(len(day), dtype=np.float32)
    if half_life_days <= 0:
        raise InvalidFieldError("half_life_days", "must be positive; use None for no decay")
    age = np.maximum(as_of_day - np.asarray(day, dtype=np.float64), 0.0)
    return np.exp2(-age / half_life_days).astype(np.float32)


def _as_int(name: str, values: ArrayLike, n: int) -> NDArray[np.int64]:
    arr = np.asarray(values)
    if arr.ndim != 1 or len(arr) != n:
        raise InvalidFieldError(name, f"expected a 1-d array of length {n}, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise InvalidFieldError(name, f"expected integers, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _check_range(name: str, arr: NDArray[np.int64], upper: int, *, allow_missing: bool) -> None:
    if not arr.size:
        return
    low = -1 if allow_missing else 0
    if arr.min() < low or arr.max() >= upper:
        missing = " (or -1 for anonymous)" if allow_missing else ""
        raise InvalidFieldError(
            name, f"indices must lie in [0, {upper}){missing}; pass n_{name}s large enough"
        )


def build_interactions(
    customer: ArrayLike,
    basket: ArrayLike,
    item: ArrayLike,
    day: ArrayLike,
    quantity: ArrayLike,
    is_gift: ArrayLike,
    kind: ArrayLike,
    *,
    n_customers: int | None = None,
    n_baskets: int | None = None,
    n_items: int | None = None,
    as_of_day: int | None = None,
) -> Interactions:
    """Filter order lines into the interactions recommenders learn from.

    Args:
        customer: customer index per line, -1 for anonymous orders.
        basket: basket (order) index per line.
        item: product index per line.
        day: day number per line (any origin, consistent across lines).
        quantity: quantity per line; lines with quantity ≤ 0 (returns) are ignored.
        is_gift: True on gift lines, which never shape the buyer's profile.
        kind: line kind per line, 'product' for products; others ('fee', 'adjustment', ...) are
            ignored. A boolean array (True = product) is accepted as well.
        n_customers: number of customers (default: largest index + 1).
        n_baskets: number of baskets (default: largest index + 1).
        n_items: number of products (default: largest index + 1).
        as_of_day: the reference day of the decay (default: the last day in ``day``).

    Returns:
        The filtered lines; build matrices with ``profile_matrix`` / ``basket_matrix``.

    Raises:
        InvalidFieldError: an array has the wrong length, type or an index out of range.
    """
    item_arr = np.asarray(item)
    n = len(item_arr)
    item_idx = _as_int("item", item_arr, n)
    cust_idx = _as_int("customer", customer, n)
    basket_idx = _as_int("basket", basket, n)
    day_arr = _as_int("day", day, n)
    qty = np.asarray(quantity, dtype=np.float64)
    gift = np.asarray(is_gift, dtype=bool)
    kind_arr = np.asarray(kind)
    if len(qty) != n or len(gift) != n or len(kind_arr) != n:
        raise InvalidFieldError("quantity", f"quantity, is_gift and kind must have length {n}")
    is_product = kind_arr if kind_arr.dtype == bool else kind_arr == PRODUCT_KIND

    n_items = int(item_idx.max() + 1 if n else 0) if n_items is None else n_items
    n_customers = (
        int(max(cust_idx.max() + 1, 0) if n else 0) if n_customers is None else n_customers
    )
    n_baskets = int(basket_idx.max() + 1 if n else 0) if n_baskets is None else n_baskets
    _check_range("item", item_idx, n_items, allow_missing=False)
    _check_range("customer", cust_idx, n_customers, allow_missing=True)
    _check_range("basket", basket_idx, n_baskets, allow_missing=False)
    as_of = int(day_arr.max() if n else 0) if as_of_day is None else int(as_of_day)

    bought = is_product & (qty > 0)
    own = bought & ~gift & (cust_idx >= 0)
    b_rows = basket_idx[bought]
    b_day = np.zeros(n_baskets, dtype=np.int64)
    np.maximum.at(b_day, b_rows, day_arr[bought])
    return Interactions(
        profile_customer=cust_idx[own],
        profile_item=item_idx[own],
        profile_day=day_arr[own],
        basket_row=b_rows,
        basket_item=item_idx[bought],
        basket_day=b_day[b_rows],
        n_customers=n_customers,
        n_baskets=n_baskets,
        n_items=n_items,
        as_of_day=as_of,
    )
