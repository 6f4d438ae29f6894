"""Popularity baseline."""

from __future__ import annotations

import numpy as np
import pytest

from kunde.errors import NotFittedError
from kunde.recommend import Popularity, build_interactions


def test_recent_purchases_weigh_more_with_decay() -> None:
    # item 0: two old baskets; item 1: one basket today
    inter = build_interactions(
        customer=[0, 1, 2],
        basket=[0, 1, 2],
        item=[0, 0, 1],
        day=[0, 0, 100],
        quantity=[1] * 3,
        is_gift=[False] * 3,
        kind=["product"] * 3,
    )
    assert Popularity().fit(inter).recommend(np.array([0]), 1).tolist() == [[0]]
    assert Popularity(10.0).fit(inter).recommend(np.array([0]), 1).tolist() == [[1]]


def test_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        Popularity().score(np.array([0]))
