"""Personal feed rules: turn a personal ranking into a page a customer can trust.

The rules, all on by default and configurable per shop (:class:`FeedRules`):

* gifts never shape interests (:func:`category_interests` ignores gift lines);
* interests fade with a half-life; the customer can remove a category or reset everything;
* no category fills more than ``category_cap`` of the page;
* at least ``explore_slots`` items come from outside the customer's known categories when the
  catalog allows;
* new releases in the customer's categories get ``new_release_slots``;
* ``editorial_share`` of the page comes from editorial picks; without picks those slots fall
  back to the personal ranking;
* products already bought are not offered again unless their category is a consumable;
* every item carries a reason, and the page says whether it is personal.

A page has ten or so slots, so composing it walks the slots; every filter over the candidate
lists is vectorised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kunde.errors import InvalidFieldError
from kunde.recommend._interactions import decay_weights

__all__ = ["Feed", "FeedItem", "FeedRules", "category_interests", "compose_feed"]

BOUGHT_WITH = "bought_with"
NEW_IN_CATEGORY = "new_in_category"
EDITORIAL = "editorial"
POPULAR = "popular"
EXPLORE = "explore"


@dataclass(frozen=True)
class FeedRules:
    """Per-shop settings of the personal feed."""

    size: int = 10
    """Items on the page."""
    category_cap: int = 4
    """Most items one category may fill."""
    explore_slots: int = 1
    """Items from outside the customer's known categories (when the catalog has some)."""
    new_release_slots: int = 1
    """Slots for new releases in the customer's categories of interest."""
    editorial_share: float = 0.3
    """Share of the page from editorial picks."""
    interest_half_life_days: float | None = 90.0
    """How fast interests fade."""

    def __post_init__(self) -> None:
        if self.size < 1:
            raise InvalidFieldError("size", "must be at least 1")
        if self.category_cap < 1:
            raise InvalidFieldError("category_cap", "must be at least 1")
        if not 0.0 <= self.editorial_share <= 1.0:
            raise InvalidFieldError("editorial_share", "must lie in [0, 1]")
        if self.explore_slots < 0 or self.new_release_slots < 0:
            raise InvalidFieldError("explore_slots", "slot counts must not be negative")

    @property
    def editorial_slots(self) -> int:
        """Number of editorial slots on a page."""
        return round(self.editorial_share * self.size)


@dataclass(frozen=True)
class FeedItem:
    """One item of the page and why it is there.

    Attributes:
        item: product index.
        reason: 'bought_with', 'new_in_category', 'editorial', 'popular' or 'explore'.
        because_of: for 'bought_with', the product of the customer's history behind it.
        category: the product's category index.
    """

    item: int
    reason: str
    because_of: int | None
    category: int


@dataclass(frozen=True)
class Feed:
    """A composed page; ``personal`` is False when nothing on it came from the history."""

    items: list[FeedItem] = field(default_factory=list)
    personal: bool = False


def category_interests(
    item: ArrayLike,
    day: ArrayLike,
    is_gift: ArrayLike,
    *,
    item_category: ArrayLike,
    n_categories: int,
    as_of_day: int,
    half_life_days: float | None = 90.0,
    removed: Sequence[int] = (),
    reset_day: int | None = None,
) -> NDArray[np.float64]:
    """One customer's interest per category from their own purchase lines.

    Gift lines never count. Each line weighs ``2^(−age / half_life)``; the weights are summed
    per category and scaled to sum to one. Categories the customer removed count zero, and
    after a reset only lines from ``reset_day`` on count.

    Args:
        item: product index per line.
        day: day per line.
        is_gift: gift flag per line.
        item_category: category index per product.
        n_categories: number of categories.
        as_of_day: the day interests are measured on.
        half_life_days: fading half-life; ``None`` keeps every purchase at full weight.
        removed: categories the customer removed from their interests.
        reset_day: first day that counts after "reset all".

    Returns:
        Interest per category (sums to 1, or all zero without usable lines).
    """
    items = np.asarray(item, dtype=np.int64)
    days = np.asarray(day, dtype=np.int64)
    keep = ~np.asarray(is_gift, dtype=bool)
    if reset_day is not None:
        keep &= days >= reset_day
    cats = np.asarray(item_category, dtype=np.int64)[items[keep]]
    w = decay_weights(days[keep], as_of_day, half_life_days).astype(np.float64)
    valid = cats >= 0
    interest: NDArray[np.float64] = np.bincount(
        cats[valid], weights=w[valid], minlength=n_categories
    )[:n_categories].astype(np.float64)
    if len(removed):
        interest[np.asarray(removed, dtype=np.int64)] = 0.0
    total = float(interest.sum())
    return interest / total if total > 0 else interest


class _Page:
    """Slots being filled under the cap, without duplicates or excluded products."""

    def __init__(
        self, rules: FeedRules, item_category: NDArray[np.int64], blocked: NDArray[np.bool_]
    ):
        self.rules = rules
        self.category = item_category
        self.blocked = blocked.copy()
        self.counts: dict[int, int] = {}
        self.items: list[FeedItem] = []

    def allowed(self, candidates: NDArray[np.int64]) -> NDArray[np.int64]:
        """Candidates that may still go on the page, in their order (vectorised filter)."""
        c = candidates[(candidates >= 0) & (candidates < len(self.blocked))]
        c = c[~self.blocked[c]]
        if len(c) == 0:
            return c
        _, first = np.unique(c, return_index=True)
        c = c[np.sort(first)]
        full = np.array([k for k, v in self.counts.items() if v >= self.rules.category_cap])
        if len(full):
            c = c[~np.isin(self.category[c], full)]
        return c

    def add(self, item: int, reason: str, because_of: int | None = None) -> None:
        cat = int(self.category[item])
        self.counts[cat] = self.counts.get(cat, 0) + 1
        self.blocked[item] = True
        self.items.append(FeedItem(int(item), reason, because_of, cat))

    def take(
        self,
        candidates: NDArray[np.int64],
        n: int,
        reason: str,
        because: NDArray[np.int64] | None = None,
    ) -> int:
        """Add up to ``n`` candidates in order under the category cap; returns the count.

        The same as adding the first allowed candidate ``n`` times over (:meth:`allowed`
        again after each): adding only blocks that product and fills its category, so a
        candidate goes on the page exactly when fewer than the cap's remaining room of its
        category's candidates come before it — computed for all at once.
        """
        c = self.allowed(candidates)
        if n <= 0 or len(c) == 0:
            return 0
        cat = self.category[c]
        order = np.argsort(cat, kind="stable")
        sorted_cat = cat[order]
        starts = np.ones(len(c), dtype=bool)
        starts[1:] = sorted_cat[1:] != sorted_cat[:-1]
        group_start = np.maximum.accumulate(np.where(starts, np.arange(len(c)), 0))
        rank = np.empty(len(c), dtype=np.int64)
        rank[order] = np.arange(len(c)) - group_start  # earlier candidates of the category
        shift = 1 - min(int(cat.min()), 0)  # category -1 (none) is capped too
        used = np.zeros(int(cat.max()) + shift + 1, dtype=np.int64)
        for k, v in self.counts.items():  # the categories already on the page
            if 0 <= k + shift < len(used):
                used[k + shift] = v
        chosen = c[rank < self.rules.category_cap - used[cat + shift]][:n].tolist()
        lookup = (
            dict(zip(candidates.tolist(), because.tolist(), strict=True))
            if because is not None
            else {}
        )
        for item in chosen:
            b = lookup.get(item, -1)
            self.add(item, reason, b if b >= 0 else None)
        return len(chosen)


def compose_feed(
    ranked: ArrayLike,
    *,
    item_category: ArrayLike,
    interests: ArrayLike,
    bought: ArrayLike = (),
    consumable: ArrayLike | None = None,
    editorial: ArrayLike = (),
    new_releases: ArrayLike = (),
    popular: ArrayLike = (),
    because_of: ArrayLike | None = None,
    rules: FeedRules | None = None,
) -> Feed:
    """Compose one customer's page from their personal ranking and the shop's lists.

    Args:
        ranked: the personal ranking, product indices best first (may be empty).
        item_category: category index per product.
        interests: interest per category (:func:`category_interests`); zero = unknown.
        bought: products the customer bought.
        consumable: per category, True where re-buying is expected (default: none).
        editorial: editorial picks in the shop's order.
        new_releases: recent releases, most relevant first.
        popular: the shop's popular products, most popular first (fallback and explore).
        because_of: per ranked product, the product of the history behind it (-1: none).
        rules: the shop's rules.

    Returns:
        The page: at most ``rules.size`` distinct products, each with its reason.
    """
    r = rules or FeedRules()
    cats = np.asarray(item_category, dtype=np.int64)
    n_items = len(cats)
    interest = np.asarray(interests, dtype=np.float64)
    ranked_a = np.asarray(ranked, dtype=np.int64).reshape(-1)
    because = None if because_of is None else np.asarray(because_of, dtype=np.int64).reshape(-1)
    if because is not None and len(because) != len(ranked_a):
        raise InvalidFieldError("because_of", "give one history product per ranked product")
    cons = (
        np.zeros(max(int(cats.max(initial=-1)) + 1, len(interest)), dtype=bool)
        if consumable is None
        else np.asarray(consumable, dtype=bool)
    )
    blocked = np.zeros(n_items, dtype=bool)
    bought_a = np.asarray(bought, dtype=np.int64).reshape(-1)
    bought_a = bought_a[(bought_a >= 0) & (bought_a < n_items)]
    bought_cat = cats[bought_a]
    is_consumable = np.zeros(len(bought_a), dtype=bool)
    in_range = (bought_cat >= 0) & (bought_cat < len(cons))
    is_consumable[in_range] = cons[bought_cat[in_range]]
    blocked[bought_a[~is_consumable]] = True

    known = np.zeros(n_items, dtype=bool)
    has_interest = (cats >= 0) & (cats < len(interest))
    known[has_interest] = interest[cats[has_interest]] > 0
    personal = bool(interest.sum() > 0) and len(ranked_a) > 0
    page = _Page(r, cats, blocked)
    editorial_a = np.asarray(editorial, dtype=np.int64).reshape(-1)
    popular_a = np.asarray(popular, dtype=np.int64).reshape(-1)
    new_a = np.asarray(new_releases, dtype=np.int64).reshape(-1)

    page.take(editorial_a, r.editorial_slots, EDITORIAL)
    if personal:
        explore_pool = np.concatenate([ranked_a, popular_a])
        explore_pool = explore_pool[(explore_pool >= 0) & (explore_pool < n_items)]
        # explore first, so that the personal ranking and the cap cannot crowd it out
        room = r.size - len(page.items)
        page.take(explore_pool[~known[explore_pool]], min(r.explore_slots, room), EXPLORE)
        fresh = new_a[(new_a >= 0) & (new_a < n_items)]
        room = r.size - len(page.items)
        page.take(fresh[known[fresh]], min(r.new_release_slots, room), NEW_IN_CATEGORY)
        page.take(ranked_a, r.size - len(page.items), BOUGHT_WITH, because)
    page.take(popular_a, r.size - len(page.items), POPULAR)
    return Feed(items=_order(page.items, r.size), personal=personal)


def _order(items: list[FeedItem], size: int) -> list[FeedItem]:
    """Personal items first, then explore and popular; editorial picks spread evenly."""
    rank = {BOUGHT_WITH: 0, NEW_IN_CATEGORY: 0, EXPLORE: 1, POPULAR: 2}
    rest = sorted((i for i in items if i.reason != EDITORIAL), key=lambda i: rank[i.reason])
    picks = [i for i in items if i.reason == EDITORIAL]
    if not picks:
        return rest
    step = size / len(picks)
    slots = {min(int(step * (n + 0.5)), len(items) - 1) for n in range(len(picks))}
    out: list[FeedItem] = []
    pick_iter, rest_iter = iter(picks), iter(rest)
    for position in range(len(items)):
        source = pick_iter if position in slots else rest_iter
        item = next(source, None) or next(pick_iter if source is rest_iter else rest_iter)
        out.append(item)
    return out
