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
from functools import cached_property
from typing import Any

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

    @cached_property
    def _profile_pairs(self) -> _Pairs:
        return _Pairs.of(self.profile_customer, self.profile_item, self.n_customers, self.n_items)

    @cached_property
    def _basket_pairs(self) -> _Pairs:
        return _Pairs.of(self.basket_row, self.basket_item, self.n_baskets, self.n_items)

    @cached_property
    def _basket_row_day(self) -> NDArray[np.int64]:
        row_day = np.zeros(self.n_baskets, dtype=np.int64)
        pairs = self._basket_pairs
        # lines are grouped by basket: the last day of a basket is a segment maximum
        day = self.basket_day[pairs.order]
        starts = pairs.line_indptr[:-1]
        filled = starts < pairs.line_indptr[1:]
        if day.size:
            row_day[filled] = np.maximum.reduceat(day, starts[filled])
        return row_day

    def first_purchases(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Every distinct (customer, product) pair's product and the day it was first bought."""
        pairs = self._profile_pairs
        day = self.profile_day[pairs.order]
        if not len(day):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, pairs.line_pair[1:] != pairs.line_pair[:-1]])
        return pairs.indices.astype(np.int64), np.minimum.reduceat(day, starts)

    def profile_matrix(self, half_life_days: float | None = None) -> sp.csr_matrix:
        """Customer × product CSR (float32): summed line weights, decayed if asked."""
        pairs = self._profile_pairs
        w = decay_weights(self.profile_day[pairs.order], self.as_of_day, half_life_days)
        return pairs.matrix(np.bincount(pairs.line_pair, weights=w, minlength=pairs.n_pairs))

    def basket_matrix(self, half_life_days: float | None = None) -> sp.csr_matrix:
        """Basket × product CSR (float32): presence of the product, decayed by basket age.

        A product listed on several lines of one basket still counts once.
        """
        pairs = self._basket_pairs
        w = decay_weights(self._basket_row_day, self.as_of_day, half_life_days)
        return pairs.matrix(np.repeat(w, np.diff(pairs.indptr)))

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


@dataclass(frozen=True)
class _Pairs:
    """The distinct (row, product) pairs of some lines, as the structure of a CSR matrix.

    Built once per :class:`Interactions` (one sort of the lines), so that every matrix a model
    asks for afterwards - with whatever time decay - costs one weighted ``bincount``.
    """

    order: NDArray[np.int64]
    """Permutation that groups the lines by (row, product)."""
    line_pair: NDArray[np.int64]
    """Pair index of every line, in that order."""
    line_indptr: NDArray[np.int64]
    """Where each row's lines start in that order (n_rows + 1)."""
    indptr: NDArray[np.signedinteger[Any]]
    indices: NDArray[np.signedinteger[Any]]
    shape: tuple[int, int]

    @property
    def n_pairs(self) -> int:
        return len(self.indices)

    @staticmethod
    def of(row: NDArray[np.int64], item: NDArray[np.int64], n_rows: int, n_items: int) -> _Pairs:
        key = row * max(n_items, 1) + item
        if np.all(key[1:] >= key[:-1]):  # build_interactions hands over sorted lines
            order = np.arange(len(key), dtype=np.int64)
        else:
            order = np.argsort(key).astype(np.int64)
            key = key[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        line_pair = np.cumsum(first) - 1
        pair_row = row[order][first]
        line_indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n_rows), out=line_indptr[1:])
        index_type: type[np.signedinteger[Any]] = (
            np.int32 if max(len(key), n_items) < np.iinfo(np.int32).max else np.int64
        )
        indptr: NDArray[np.signedinteger[Any]] = np.zeros(n_rows + 1, dtype=index_type)
        np.cumsum(np.bincount(pair_row, minlength=n_rows), out=indptr[1:])
        return _Pairs(
            order,
            line_pair,
            line_indptr,
            indptr,
            item[order][first].astype(index_type),
            (n_rows, n_items),
        )

    def matrix(self, data: NDArray[np.number[Any]]) -> sp.csr_matrix:
        """A CSR matrix with this structure and ``data`` (float32), owning its arrays."""
        return sp.csr_matrix(
            (data.astype(np.float32), self.indices.copy(), self.indptr.copy()), shape=self.shape
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
    # lines sorted by (row, product) once here, so that every matrix built later, also of
    # the restricted copies, finds them grouped
    own_idx = np.flatnonzero(own)
    own_idx = own_idx[np.argsort(cust_idx[own_idx] * max(n_items, 1) + item_idx[own_idx])]
    bought_idx = np.flatnonzero(bought)
    bought_idx = bought_idx[
        np.argsort(basket_idx[bought_idx] * max(n_items, 1) + item_idx[bought_idx])
    ]
    b_rows = basket_idx[bought_idx]
    b_day = day_arr[bought_idx]
    if len(b_rows):  # the last day of each basket, its lines being consecutive
        starts = np.flatnonzero(np.r_[True, b_rows[1:] != b_rows[:-1]])
        b_day = np.repeat(np.maximum.reduceat(b_day, starts), np.diff(np.r_[starts, len(b_day)]))
    return Interactions(
        profile_customer=cust_idx[own_idx],
        profile_item=item_idx[own_idx],
        profile_day=day_arr[own_idx],
        basket_row=b_rows,
        basket_item=item_idx[bought_idx],
        basket_day=b_day,
        n_customers=n_customers,
        n_baskets=n_baskets,
        n_items=n_items,
        as_of_day=as_of,
    )
