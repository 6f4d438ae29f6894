"""Interaction matrices: what shapes a profile and what counts as co-purchase."""

from __future__ import annotations

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
