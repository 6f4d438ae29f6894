"""Personal feed rules hold for any input (Hypothesis properties)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kunde.errors import InvalidFieldError
from kunde.recommend import FeedRules, category_interests, compose_feed

N_ITEMS = 40
N_CATS = 6

item_lists = st.lists(st.integers(0, N_ITEMS - 1), max_size=30)


@st.composite
def shops(draw: st.DrawFn) -> dict[str, object]:
    categories = draw(st.lists(st.integers(0, N_CATS - 1), min_size=N_ITEMS, max_size=N_ITEMS))
    interests = draw(st.lists(st.floats(0, 1), min_size=N_CATS, max_size=N_CATS))
    return {
        "ranked": draw(item_lists),
        "item_category": categories,
        "interests": interests,
        "bought": draw(item_lists),
        "consumable": draw(st.lists(st.booleans(), min_size=N_CATS, max_size=N_CATS)),
        "editorial": draw(item_lists),
        "new_releases": draw(item_lists),
        "popular": draw(st.permutations(list(range(N_ITEMS)))),
    }


rules_strategy = st.builds(
    FeedRules,
    size=st.integers(1, 12),
    category_cap=st.integers(1, 5),
    explore_slots=st.integers(0, 2),
    new_release_slots=st.integers(0, 2),
    editorial_share=st.sampled_from([0.0, 0.3, 0.5]),
)


@settings(max_examples=100, deadline=None)
@given(shops(), rules_strategy)
def test_the_category_cap_always_holds(shop: dict[str, object], rules: FeedRules) -> None:
    feed = compose_feed(**shop, rules=rules)  # type: ignore[arg-type]
    categories = [i.category for i in feed.items]
    assert all(categories.count(c) <= rules.category_cap for c in set(categories))
    items = [i.item for i in feed.items]
    assert len(items) == len(set(items)) <= rules.size


@settings(max_examples=100, deadline=None)
@given(shops(), rules_strategy)
def test_bought_durables_never_reappear(shop: dict[str, object], rules: FeedRules) -> None:
    feed = compose_feed(**shop, rules=rules)  # type: ignore[arg-type]
    cats = np.asarray(shop["item_category"])
    consumable = np.asarray(shop["consumable"])
    durables_bought = {i for i in shop["bought"] if not consumable[cats[i]]}  # type: ignore[attr-defined]
    assert not durables_bought & {i.item for i in feed.items}


@settings(max_examples=100, deadline=None)
@given(shops(), st.sampled_from([0.1, 0.3, 0.5]))
def test_editorial_share_holds_when_there_are_enough_picks(
    shop: dict[str, object], share: float
) -> None:
    # one pick per category (never over the cap), none of them bought
    cats = np.asarray(shop["item_category"])
    picks = [int(np.flatnonzero(cats == c)[0]) for c in np.unique(cats)]
    rules = FeedRules(size=10, category_cap=4, editorial_share=share)
    if len(picks) < rules.editorial_slots:
        return
    shop = {**shop, "editorial": picks, "bought": []}
    feed = compose_feed(**shop, rules=rules)  # type: ignore[arg-type]
    assert sum(i.reason == "editorial" for i in feed.items) == rules.editorial_slots


@settings(max_examples=100, deadline=None)
@given(shops())
def test_something_outside_the_known_categories_when_the_catalog_allows(
    shop: dict[str, object],
) -> None:
    feed = compose_feed(**shop)  # type: ignore[arg-type]
    cats = np.asarray(shop["item_category"])
    interest = np.asarray(shop["interests"])
    consumable = np.asarray(shop["consumable"])
    bought_durable = {i for i in shop["bought"] if not consumable[cats[i]]}  # type: ignore[attr-defined]
    outside = [i for i in range(N_ITEMS) if interest[cats[i]] == 0 and i not in bought_durable]
    if not feed.personal or not outside:
        return
    assert any(interest[i.category] == 0 for i in feed.items)


def test_without_picks_the_editorial_slots_fall_back_to_the_personal_ranking() -> None:
    cats = np.arange(20) % 10
    feed = compose_feed(
        list(range(20)), item_category=cats, interests=np.ones(10), popular=list(range(20))
    )
    assert len(feed.items) == 10
    assert feed.personal
    assert not any(i.reason == "editorial" for i in feed.items)


def test_reasons_and_new_customers() -> None:
    cats = np.array([0, 0, 1, 1, 2, 2])
    feed = compose_feed(
        [1, 3],
        item_category=cats,
        interests=[0.5, 0.5, 0.0],
        because_of=[0, 2],
        editorial=[5],
        new_releases=[0],
        popular=[4, 5, 0, 1, 2, 3],
        bought=[2],
        rules=FeedRules(size=5, editorial_share=0.2),
    )
    reasons = {i.item: (i.reason, i.because_of) for i in feed.items}
    assert reasons[5] == ("editorial", None)
    assert reasons[1] == ("bought_with", 0)
    assert reasons[0] == ("new_in_category", None)
    assert reasons[4] == ("explore", None)
    assert 2 not in reasons  # bought, durable
    new_customer = compose_feed([], item_category=cats, interests=np.zeros(3), popular=[4, 0])
    assert not new_customer.personal
    assert [i.reason for i in new_customer.items] == ["popular", "popular"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 100), st.booleans()), max_size=30),
    st.lists(st.integers(0, 9), max_size=5),
)
def test_gifts_never_move_interests(
    lines: list[tuple[int, int, bool]], gift_items: list[int]
) -> None:
    cats = np.arange(10) % 4
    own = [(i, d) for i, d, _ in lines]
    items = [i for i, _ in own] + gift_items
    days = [d for _, d in own] + [50] * len(gift_items)
    gifts = [False] * len(own) + [True] * len(gift_items)
    with_gifts = category_interests(
        items, days, gifts, item_category=cats, n_categories=4, as_of_day=100
    )
    without = category_interests(
        [i for i, _ in own],
        [d for _, d in own],
        [False] * len(own),
        item_category=cats,
        n_categories=4,
        as_of_day=100,
    )
    np.testing.assert_allclose(with_gifts, without)


def test_interests_fade_and_can_be_removed_or_reset() -> None:
    cats = np.array([0, 1])
    kwargs = {"item_category": cats, "n_categories": 2, "as_of_day": 100}
    interest = category_interests([0, 1], [10, 100], [False, False], half_life_days=30, **kwargs)
    assert interest[1] > interest[0] > 0
    assert interest.sum() == pytest.approx(1.0)
    removed = category_interests([0, 1], [10, 100], [False, False], removed=[1], **kwargs)
    assert removed.tolist() == [1.0, 0.0]
    reset = category_interests([0, 1], [10, 100], [False, False], reset_day=101, **kwargs)
    assert reset.tolist() == [0.0, 0.0]


def test_rules_are_validated() -> None:
    with pytest.raises(InvalidFieldError):
        FeedRules(editorial_share=1.5)
    with pytest.raises(InvalidFieldError):
        FeedRules(category_cap=0)
