"""Customer neighbours recommend what similar customers bought."""

from __future__ import annotations

import numpy as np
import pytest

from kunde.errors import InvalidFieldError, NotFittedError
from kunde.recommend import CustomerKNN

from .conftest import Lines


def test_neighbours_share_the_taste(planted: Lines) -> None:
    inter = planted.interactions()
    model = CustomerKNN(20).fit(inter)
    users = np.arange(30)
    recs = model.recommend(users, 3)
    history = inter.profile_matrix()[users].toarray()
    groups = np.eye(planted.group_of_item.max() + 1)[planted.group_of_item]
    taste = (history @ groups).argmax(axis=1)
    assert np.mean(planted.group_of_item[recs] == taste[:, None]) > 0.9


def test_a_customer_is_not_their_own_neighbour() -> None:
    from kunde.recommend import build_interactions

    # customer 0 alone bought item 2; with no neighbour buying it, it scores zero
    inter = build_interactions(
        customer=[0, 0, 1, 1],
        basket=[0, 0, 1, 1],
        item=[0, 2, 0, 1],
        day=[0] * 4,
        quantity=[1] * 4,
        is_gift=[False] * 4,
        kind=["product"] * 4,
        n_items=3,
    )
    scores = CustomerKNN(5, half_life_days=None).fit(inter).score(np.array([0]))
    assert scores[0, 2] == 0.0
    assert scores[0, 1] > 0.0


def test_refuses_bad_input() -> None:
    with pytest.raises(InvalidFieldError):
        CustomerKNN(0)
    with pytest.raises(NotFittedError):
        CustomerKNN().score(np.array([0]))
