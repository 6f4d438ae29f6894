"""The store's order lines and catalog as the recommendation core's index arrays.

One set-based read of the bought product lines (returns netted, anonymous orders included,
postage and fees left out) and one of the catalog; ids become integer indices by sorting and
binary search, never by a Python loop over lines.

Customers are read as *profiles*: each line's customer id is mapped through the active merges
of the identity graph (one query, then a vectorised join) before indexing, so a person whose web
and store ids were merged is one row of the models, and their resets and removed interests are
pooled (latest reset, every removed category). An unmerge followed by ``kunde train`` separates
them again: no merge is ever baked into the stored lines.

Which lines shape a customer's *profile* (their interests and personal ranking): their own,
non-gift purchases, made after their last "reset all", in categories they did not remove.
Every bought line still counts for co-purchase ("also bought", complements, popularity).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from kunde.errors import InputError
from kunde.identity import Resolution
from kunde.privacy import PSEUDONYM_PREFIX
from kunde.recommend import Interactions, TemporalSplit, build_interactions, temporal_split
from kunde.store import Store

__all__ = ["RecommendData", "feed_categories", "index_of", "load_data", "profiles_of"]

CATEGORY_SEPARATOR = " > "


def feed_categories(paths: list[str], depth: int) -> NDArray[np.str_]:
    """The first ``depth`` levels of each category path.

    ``'Garden > Seeds > Herbs'`` at depth 2 is ``'Garden > Seeds'``.
    """
    arr = pc.utf8_trim_whitespace(pa.array(paths, type=pa.string()))
    parts = pc.split_pattern(arr, CATEGORY_SEPARATOR, max_splits=depth)
    head = pc.list_slice(parts, 0, depth)
    joined = pc.binary_join(head, CATEGORY_SEPARATOR)
    return np.array(joined.to_pylist(), dtype=np.str_)


def index_of(sorted_ids: NDArray[np.str_], ids: NDArray[np.str_]) -> NDArray[np.int64]:
    """Position of each id in ``sorted_ids`` (sorted, unique), -1 where it is missing."""
    if len(sorted_ids) == 0:
        return np.full(len(ids), -1, dtype=np.int64)
    pos = np.searchsorted(sorted_ids, ids)
    pos = np.minimum(pos, len(sorted_ids) - 1)
    found = sorted_ids[pos] == ids
    return np.where(found, pos, -1).astype(np.int64)


@dataclass(frozen=True)
class RecommendData:
    """The shop's lines and catalog as index arrays.

    Attributes:
        product_ids: product ids (sorted); a product's index is its position.
        names: product name per product.
        item_text: name, category and description per product (content similarity).
        item_category: feed category index per product (-1: none).
        category_names: the feed categories (sorted).
        released_day: release day per product (-1: unknown).
        customer_ids: profile ids of the customers with lines (sorted; merged customers are
            one profile, see :class:`kunde.identity.Resolution`).
        customer_country: country per customer ('' when unknown).
        customer, basket, item, day, quantity, is_gift: per line (customer -1: anonymous).
        shapes_profile: per line, whether it shapes its buyer's profile.
        n_baskets: number of orders.
        as_of_day: day of the newest line.
        absorbed_ids: customer ids absorbed into another profile at load time (sorted).
        absorbed_profile: the profile id of each of ``absorbed_ids``.
    """

    product_ids: NDArray[np.str_]
    names: list[str]
    item_text: list[str]
    item_category: NDArray[np.int64]
    category_names: NDArray[np.str_]
    released_day: NDArray[np.int64]
    customer_ids: NDArray[np.str_]
    customer_country: NDArray[np.str_]
    customer: NDArray[np.int64]
    basket: NDArray[np.int64]
    item: NDArray[np.int64]
    day: NDArray[np.int64]
    quantity: NDArray[np.float64]
    is_gift: NDArray[np.bool_]
    shapes_profile: NDArray[np.bool_]
    n_baskets: int
    as_of_day: int
    absorbed_ids: NDArray[np.str_]
    absorbed_profile: NDArray[np.str_]

    @property
    def n_items(self) -> int:
        """Number of products."""
        return len(self.product_ids)

    @property
    def n_customers(self) -> int:
        """Number of customers with lines."""
        return len(self.customer_ids)

    def interactions(
        self, mask: NDArray[np.bool_] | None = None, as_of_day: int | None = None
    ) -> Interactions:
        """The core's interactions of all lines (or the masked ones)."""
        m = np.ones(len(self.item), dtype=bool) if mask is None else mask
        return build_interactions(
            self.customer[m],
            self.basket[m],
            self.item[m],
            self.day[m],
            self.quantity[m],
            ~self.shapes_profile[m],  # treated like gifts: baskets yes, profile no
            np.ones(int(m.sum()), dtype=bool),
            n_customers=self.n_customers,
            n_baskets=self.n_baskets,
            n_items=self.n_items,
            as_of_day=self.as_of_day if as_of_day is None else as_of_day,
        )

    def split(
        self, split_day: int, end_day: int | None, protocol: Literal["new", "all"]
    ) -> TemporalSplit:
        """The temporal split of all lines at ``split_day`` (truth up to ``end_day``)."""
        return temporal_split(
            self.customer,
            self.item,
            self.day,
            self.quantity,
            self.is_gift,
            np.ones(len(self.item), dtype=bool),
            split_day,
            end_day=end_day,
            protocol=protocol,
            n_customers=self.n_customers,
            n_items=self.n_items,
        )


def load_data(store: Store, category_depth: int) -> RecommendData:
    """Read the lines, catalog, resets and removed interests from the store.

    Raises:
        InputError: no bought product lines are stored.
    """
    repo = store.recommend
    catalog = repo.products()
    lines = repo.lines()
    if len(lines.product_id) == 0:
        raise InputError("no bought product lines stored: import orders first")
    resolution = store.identity.resolution()
    absorbed_ids = np.array(sorted(resolution.absorbed), dtype=np.str_)
    absorbed_profile = resolution.resolve(absorbed_ids).astype(np.str_)
    line_customer = profiles_of(resolution, lines.customer_id)
    # An erased customer's lines kept for bookkeeping carry a pseudonym: they still show what
    # is bought together, like an anonymous order, but build nobody's profile.
    line_customer = np.where(
        np.char.startswith(line_customer, PSEUDONYM_PREFIX), "", line_customer
    ).astype(np.str_)
    product_ids = catalog.product_id
    item = index_of(product_ids, lines.product_id)
    known = item >= 0  # a product stored as a fee or adjustment is not recommended
    customer_ids = np.unique(line_customer[known & (line_customer != "")])
    customer = index_of(customer_ids, line_customer)
    order_ids, basket = np.unique(lines.order_id, return_inverse=True)

    category = feed_categories(catalog.category, category_depth)
    category_names, item_category = np.unique(category, return_inverse=True)
    item_category = item_category.astype(np.int64)
    if len(category_names) and category_names[0] == "":
        item_category -= 1  # '' sorts first: products without a category get -1
        category_names = category_names[1:]
    item_text = pc.binary_join_element_wise(
        pa.array(catalog.name, pa.string()),
        pa.array(catalog.category, pa.string()),
        pa.array(catalog.description, pa.string()),
        " ",
    ).to_pylist()

    shapes = ~lines.is_gift & (customer >= 0)
    reset_ids, reset_day = repo.resets()
    if len(reset_ids):
        first_day = np.full(len(customer_ids), np.iinfo(np.int64).min, dtype=np.int64)
        at = index_of(customer_ids, profiles_of(resolution, reset_ids))
        # the reset day itself no longer counts: its earlier purchases came before the reset;
        # of a merged profile's resets the latest counts
        np.maximum.at(first_day, at[at >= 0], reset_day[at >= 0] + 1)
        shapes &= lines.day >= first_day[np.maximum(customer, 0)]
    removed_ids, removed_category = repo.removals()
    if len(removed_ids):
        cust = index_of(customer_ids, profiles_of(resolution, removed_ids))
        cat = index_of(category_names, removed_category)
        ok = (cust >= 0) & (cat >= 0)
        n_cat = max(len(category_names), 1)
        removed_keys = cust[ok] * n_cat + cat[ok]
        line_cat = item_category[np.maximum(item, 0)]
        line_keys = np.maximum(customer, 0) * n_cat + line_cat
        shapes &= ~(np.isin(line_keys, removed_keys) & (line_cat >= 0))

    cust_all, country_all = repo.customer_countries()
    order = np.argsort(cust_all)
    at = index_of(cust_all[order], customer_ids)
    country = np.full(len(customer_ids), "", dtype=object)
    country[at >= 0] = country_all[order][at[at >= 0]]

    k = known
    return RecommendData(
        product_ids=product_ids,
        names=catalog.name,
        item_text=[str(t) for t in item_text],
        item_category=item_category,
        category_names=category_names.astype(np.str_),
        released_day=catalog.released_day,
        customer_ids=customer_ids,
        customer_country=np.asarray(country, dtype=np.str_),
        customer=customer[k],
        basket=basket[k].astype(np.int64),
        item=item[k],
        day=lines.day[k],
        quantity=lines.quantity[k],
        is_gift=lines.is_gift[k],
        shapes_profile=shapes[k],
        n_baskets=len(order_ids),
        as_of_day=int(lines.day[k].max()) if k.any() else int(lines.day.max()),
        absorbed_ids=absorbed_ids,
        absorbed_profile=absorbed_profile,
    )


def profiles_of(resolution: Resolution, customer_ids: NDArray[np.str_]) -> NDArray[np.str_]:
    """The profile id of each customer id, vectorised ('' stays '': anonymous lines)."""
    if not resolution.absorbed or len(customer_ids) == 0:
        return customer_ids
    return resolution.resolve(customer_ids).astype(np.str_)
