"""Interaction matrices: what shapes a profile and what counts as co-purchase."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kunde.errors import InvalidFieldError
from kunde.recommend import build_interactions, decay_weights


def lines(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "customer": [0, 0, 1, -1, -1, 1],
        "basket": [0, 0, 1, 2, 2, 3],
        "item": [0, 1, 1, 0, 2, 3],
        "day": [0, 0, 5, 6, 6, 9],
        "quantity": [1, 2, 1, 1, 1, 1],
        "is_gift": [False, False, False, False, False, True],
        "kind": ["product"] * 6,
    }
    base.update(overrides)
    return base


def test_profile_holds_own_purchases_only() -> None:
    inter = build_interactions(**lines(), n_items=4)  # type: ignore[arg-type]
    profile = inter.profile_matrix().toarray()
    assert profile.tolist() == [[1, 1, 0, 0], [0, 1, 0, 0]]  # gift (customer 1, item 3) left out


def test_anonymous_orders_count_as_baskets() -> None:
    inter = build_interactions(**lines(), n_items=4)  # type: ignore[arg-type]
    baskets = inter.basket_matrix().toarray()
    assert baskets[2].tolist() == [1, 0, 1, 0]
    assert baskets[3].tolist() == [0, 0, 0, 1]  # gift lines still show what was bought together


def test_non_product_lines_and_returns_are_ignored() -> None:
    inter = build_interactions(
        **lines(
            kind=["product", "fee", "product", "adjustment", "product", "product"],  # type: ignore[arg-type]
            quantity=[1, 1, -1, 1, 1, 1],
        ),
        n_items=4,
    )
    assert inter.profile_matrix().toarray().tolist() == [[1, 0, 0, 0], [0, 0, 0, 0]]
    assert inter.basket_matrix().toarray()[:, 1].sum() == 0


def test_repeated_lines_count_once_per_basket() -> None:
    inter = build_interactions(
        customer=[0, 0],
        basket=[0, 0],
        item=[1, 1],
        day=[0, 0],
        quantity=[1, 1],
        is_gift=[False, False],
        kind=["product", "product"],
        n_items=2,
    )
    assert inter.basket_matrix().toarray().tolist() == [[0, 1]]
    assert inter.profile_matrix().toarray().tolist() == [[0, 2]]


def test_decay_halves_at_half_life() -> None:
    w = decay_weights(np.array([10, 0, -20]), 10, 10.0)
    np.testing.assert_allclose(w, [1.0, 0.5, 0.125], rtol=1e-6)
    assert decay_weights(np.array([0]), 10, None).tolist() == [1.0]
    with pytest.raises(InvalidFieldError):
        decay_weights(np.array([0]), 10, 0.0)


def test_restrict_keeps_earlier_lines() -> None:
    inter = build_interactions(**lines(), n_items=4)  # type: ignore[arg-type]
    early = inter.restrict(5)
    assert early.as_of_day == 4
    assert early.profile_matrix().toarray().tolist() == [[1, 1, 0, 0], [0, 0, 0, 0]]
    assert early.basket_matrix().sum() == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("item", [0, 1, 1, 0, 2, 9]), ("customer", [0, 0, 1, -2, -1, 1]), ("day", [0.5] * 6)],
    ids=["item-out-of-range", "customer-below-anonymous", "day-not-integer"],
)
def test_bad_input_names_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidFieldError) as info:
        build_interactions(**lines(**{field: value}), n_items=4)  # type: ignore[arg-type]
    assert info.value.field == field


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 9), st.integers(0, 30), st.integers(1, 3)),
        min_size=1,
        max_size=40,
    ),
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 9), st.integers(0, 30), st.integers(1, 3)),
        max_size=20,
    ),
)
def test_a_gift_line_never_moves_a_profile(
    own: list[tuple[int, int, int, int]], gifts: list[tuple[int, int, int, int]]
) -> None:
    def build(rows: list[tuple[int, int, int, int]], gift_flags: list[bool]) -> np.ndarray:
        arr = np.array(rows, dtype=np.int64).reshape(-1, 4)
        inter = build_interactions(
            customer=arr[:, 0],
            basket=np.arange(len(arr)),
            item=arr[:, 1],
            day=arr[:, 2],
            quantity=arr[:, 3],
            is_gift=gift_flags,
            kind=["product"] * len(arr),
            n_customers=5,
            n_items=10,
            n_baskets=len(arr),
            as_of_day=30,
        )
        return inter.profile_matrix(14.0).toarray()

    without = build(own, [False] * len(own))
    with_gifts = build(own + gifts, [False] * len(own) + [True] * len(gifts))
    np.testing.assert_array_equal(without, with_gifts)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-1, 4), st.integers(0, 6), st.integers(0, 7), st.integers(0, 40)),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from([None, 7.0, 30.0]),
)
def test_matrices_match_a_line_by_line_sum_in_any_line_order(
    rows: list[tuple[int, int, int, int]], half_life: float | None
) -> None:
    arr = np.array(rows, dtype=np.int64)
    customer, basket, item, day = arr.T
    # a basket belongs to one customer: the first one named for it
    owner = {int(b): int(c) for c, b in zip(customer[::-1], basket[::-1], strict=True)}
    customer = np.array([owner[int(b)] for b in basket])
    inter = build_interactions(
        customer, basket, item, day, np.ones(len(arr)), np.zeros(len(arr), dtype=bool),
        ["product"] * len(arr), n_customers=5, n_baskets=7, n_items=8, as_of_day=40,
    )  # fmt: skip
    w = decay_weights(day, 40, half_life)
    expected = np.zeros((5, 8))
    for c, i, weight in zip(customer, item, w, strict=True):
        if c >= 0:
            expected[c, i] += weight
    np.testing.assert_allclose(inter.profile_matrix(half_life).toarray(), expected, rtol=1e-5)
    last = {int(b): int(day[basket == b].max()) for b in basket}
    basket_w = decay_weights(np.array([last[int(b)] for b in basket]), 40, half_life)
    expected_b = np.zeros((7, 8))
    expected_b[basket, item] = basket_w
    np.testing.assert_allclose(inter.basket_matrix(half_life).toarray(), expected_b, rtol=1e-5)
    # the same lines handed over unsorted, as a caller may build them, give the same matrices
    shuffled = np.random.default_rng(0).permutation(len(inter.profile_item))
    direct = dataclasses.replace(
        inter,
        profile_customer=inter.profile_customer[shuffled],
        profile_item=inter.profile_item[shuffled],
        profile_day=inter.profile_day[shuffled],
    )
    np.testing.assert_allclose(direct.profile_matrix(half_life).toarray(), expected, rtol=1e-5)
    # first purchase of every pair
    items, first_day = inter.first_purchases()
    pairs = {(int(c), int(i)) for c, i in zip(customer, item, strict=True) if c >= 0}
    assert len(items) == len(pairs)
    expected_first = sorted((i, int(day[(customer == c) & (item == i)].min())) for c, i in pairs)
    assert sorted(zip(items.tolist(), first_day.tolist(), strict=True)) == expected_first
