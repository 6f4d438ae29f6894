"""The demo catalog: products drawn from the category tree, and fast sampling from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from kunde.demo._categories import (
    BOOK_WORDS_A,
    BOOK_WORDS_B,
    COMPLEMENTS,
    LEAVES,
    MODEL_WORDS,
)

__all__ = ["Catalog", "make_catalog"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

NEW_RELEASE_DAYS = 30
"""A product released at most this many days before the demo's today counts as brand new."""


@dataclass(frozen=True)
class Catalog:
    """Products (sorted by leaf) with the arrays the order generator samples from.

    Days are counted in days since 1970-01-01.
    """

    products: pa.Table
    leaf: IntArray
    """Leaf index (into :data:`LEAVES`) of each product."""
    price_cents: IntArray
    released_day: IntArray
    name: list[str]
    product_id: list[str]
    leaf_cumulative: FloatArray
    """``leaf + cumulative popularity within the leaf``: one ``searchsorted`` samples any leaf."""
    leaf_stop: IntArray
    """One past the last product index of each leaf."""
    staple: IntArray
    """Per leaf: its best seller, released before the order history starts."""
    partner: IntArray
    """``partner[p, l]``: the product in leaf ``l`` most often bought with ``p`` (or -1)."""

    def sample(
        self, rng: np.random.Generator, leaf: IntArray, day: IntArray, tries: int = 4
    ) -> IntArray:
        """Draw a product of each ``leaf`` by popularity, released on or before ``day``.

        Args:
            rng: random source.
            leaf: leaf index per draw.
            day: the day the product is bought (it must have been released by then).
            tries: redraws for products not yet released before falling back to the staple.
        """
        chosen = self._draw(rng, leaf)
        for _ in range(tries):
            late = np.flatnonzero(self.released_day[chosen] > day)
            if late.size == 0:
                return chosen
            chosen[late] = self._draw(rng, leaf[late])
        still_late = self.released_day[chosen] > day
        chosen[still_late] = self.staple[leaf[still_late]]
        return chosen

    def _draw(self, rng: np.random.Generator, leaf: IntArray) -> IntArray:
        found = np.searchsorted(self.leaf_cumulative, leaf + rng.random(leaf.size), side="right")
        return np.minimum(found, self.leaf_stop[leaf] - 1).astype(np.int64)


def _names_for(rng: np.random.Generator, index: int, count: int) -> list[tuple[str, str, str]]:
    """(brand, name, description) for ``count`` distinct products of leaf ``index``."""
    leaf = LEAVES[index]
    brands = np.array(leaf.brands)
    if leaf.path.startswith("Books"):
        pairs = [(a, b) for a in BOOK_WORDS_A for b in BOOK_WORDS_B]
        picks = rng.choice(len(pairs), size=count, replace=False)
        brand_picks = brands[rng.integers(0, brands.size, count)]
        genre = leaf.path.split(" > ")[-1]
        return [
            (str(brand), f"The {pairs[p][0]} {pairs[p][1]}", f"{genre}, published by {brand}.")
            for brand, p in zip(brand_picks, picks, strict=True)
        ]
    combos = [(b, g, m) for b in leaf.brands for g in leaf.goods for m in MODEL_WORDS]
    picks = rng.choice(len(combos), size=count, replace=False)
    range_name = leaf.path.split(" > ")[-1].lower()
    return [
        (
            brand,
            f"{brand} {good} {model}",
            f"{good} ({model}) by {brand}, from our {range_name} range.",
        )
        for brand, good, model in (combos[p] for p in picks)
    ]


def make_catalog(rng: np.random.Generator, size: int, today_day: int, history_days: int) -> Catalog:
    """Draw a catalog of about ``size`` products.

    Most products were released before the order history starts, a quarter during it, and a
    few (at least three) within the last :data:`NEW_RELEASE_DAYS` days: the new releases.
    Popularity within a leaf falls off like a power law; new releases get a boost.
    """
    ranges = np.array([leaf.range_size for leaf in LEAVES])
    counts = np.maximum(3, np.round(size * ranges / ranges.sum())).astype(np.int64)
    n = int(counts.sum())
    leaf = np.repeat(np.arange(len(LEAVES)), counts)
    stop = np.cumsum(counts)
    start = stop - counts
    rank_in_leaf = np.arange(n) - start[leaf]

    medians = np.array([lf.median_price for lf in LEAVES])[leaf]
    euros = np.maximum(2.0, medians * np.exp(rng.normal(0.0, 0.35, n)))
    price_cents = np.where(euros >= 10, np.floor(euros) * 100 + 99, np.round(euros * 2) * 50 - 1)
    price_cents = np.maximum(price_cents, 149).astype(np.int64)

    history_start = today_day - history_days
    era = rng.random(n)
    released_day = np.where(
        era < 0.70,
        history_start - rng.integers(1, 2200, n),
        today_day - rng.integers(NEW_RELEASE_DAYS + 1, history_days, n),
    )
    brand_new = era > 0.955
    brand_new[rng.choice(n, size=3, replace=False)] = True
    brand_new &= rank_in_leaf > 0
    released_day = np.where(
        brand_new, today_day - rng.integers(0, NEW_RELEASE_DAYS, n), released_day
    )
    # the first product of each leaf is its staple: always on sale
    released_day[start] = np.minimum(released_day[start], history_start - 30)
    released_day = released_day.astype(np.int64)

    popularity = (1.0 + rank_in_leaf) ** -0.9
    popularity = popularity * np.where(brand_new, 4.0, 1.0)
    totals = np.bincount(leaf, weights=popularity)
    within = np.cumsum(popularity) - np.repeat(np.cumsum(totals) - totals, counts)
    leaf_cumulative = leaf + within / totals[leaf]
    leaf_cumulative[stop - 1] = np.arange(len(LEAVES)) + 1.0

    named = [pair for i in range(len(LEAVES)) for pair in _names_for(rng, i, int(counts[i]))]
    brands = [brand for brand, _, _ in named]
    names = [name for _, name, _ in named]
    descriptions = [description for _, _, description in named]
    ids = [f"P{10001 + i:05d}" for i in rng.permutation(n)]
    paths = [LEAVES[i].path for i in leaf]
    partner = _partners(rng, leaf, start, counts)

    products = pa.table(
        {
            "product_id": pa.array(ids, pa.string()),
            "name": pa.array(names, pa.string()),
            "category": pa.array(paths, pa.string()),
            "brand": pa.array(brands, pa.string()),
            "price": pa.array(price_cents / 100.0, pa.float64()),
            "released_at": pa.array(released_day, pa.int32()).cast(pa.date32()),
            "description": pa.array(descriptions, pa.string()),
        }
    )
    return Catalog(
        products=products,
        leaf=leaf.astype(np.int64),
        price_cents=price_cents,
        released_day=released_day,
        name=names,
        product_id=ids,
        leaf_cumulative=leaf_cumulative,
        leaf_stop=stop.astype(np.int64),
        staple=start.astype(np.int64),
        partner=partner,
    )


def _partners(
    rng: np.random.Generator, leaf: IntArray, start: IntArray, counts: IntArray
) -> IntArray:
    """For each product and each complementary leaf, the one product it is usually bought with.

    Partners lean towards each leaf's best sellers (the first products), like real pairings.
    """
    index = {lf.path: i for i, lf in enumerate(LEAVES)}
    partner = np.full((leaf.size, len(LEAVES)), -1, dtype=np.int64)
    for path, targets in COMPLEMENTS.items():
        rows = np.flatnonzero(leaf == index[path])
        for target_path, _ in targets:
            target = index[target_path]
            offset = np.minimum(rng.geometric(0.35, rows.size) - 1, counts[target] - 1)
            chosen = start[target] + offset
            itself = chosen == rows  # a series: the partner is the next title, not the same
            chosen[itself] = start[target] + (offset[itself] + 1) % counts[target]
            partner[rows, target] = chosen
    return partner
