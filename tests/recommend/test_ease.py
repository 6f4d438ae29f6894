"""EASE (Steck 2019) against its closed form."""

from __future__ import annotations

import numpy as np
import pytest

from kunde.errors import InvalidFieldError, NotFittedError
from kunde.recommend import EASE

from .conftest import Lines


def test_weights_solve_the_constrained_least_squares(planted: Lines) -> None:
    inter = planted.interactions()
    model = EASE(l2=50.0).fit(inter)
    x = inter.profile_matrix().toarray()
    x[x > 0] = 1.0
    b = model.weights_.astype(np.float64)
    assert np.allclose(np.diag(b), 0.0)
    # stationarity of the Lagrangian of Steck's eq. (1): (XᵀX + λI)B − XᵀX is diagonal
    g = x.T @ x
    residual = (g + 50.0 * np.eye(len(g))) @ b - g
    off_diagonal = residual - np.diag(np.diag(residual))
    assert np.abs(off_diagonal).max() < 1e-3 * np.abs(g).max()


def test_ease_ranks_the_planted_group_first(planted: Lines) -> None:
    inter = planted.interactions()
    model = EASE(l2=20.0).fit(inter)
    users = np.arange(20)
    recs = model.recommend(users, 3)
    taste_group = planted.group_of_item[inter.profile_matrix()[users].toarray().argmax(axis=1)]
    assert np.mean(planted.group_of_item[recs] == taste_group[:, None]) > 0.9


def test_refuses_bad_input() -> None:
    with pytest.raises(InvalidFieldError):
        EASE(l2=0)
    with pytest.raises(NotFittedError):
        EASE().score(np.array([0]))


def test_recent_ease_is_ease_when_every_product_sold_lately(planted: Lines) -> None:
    from kunde.recommend._ease_feature import RecentEASE

    inter = planted.interactions()
    users = np.arange(inter.n_customers)
    whole = EASE(l2=50.0).fit(inter)
    recent = RecentEASE(l2=50.0, active_days=10_000).fit(inter)
    assert len(recent.active_) == len(np.unique(inter.profile_item))
    np.testing.assert_allclose(recent.score(users), whole.score(users), atol=2e-4)


def test_recent_ease_scores_only_products_sold_lately(planted: Lines) -> None:
    from kunde.recommend._ease_feature import RecentEASE

    # products 0-9 stop selling on day 60
    inter = planted.interactions(~((planted.item < 10) & (planted.day >= 60)))
    days = 30
    recent = RecentEASE(l2=50.0, active_days=days).fit(inter)
    sold = np.zeros(inter.n_items, dtype=bool)
    sold[inter.profile_item[inter.profile_day > inter.as_of_day - days]] = True
    assert not sold[:10].any() and sold[10:].sum() > 0
    scores = recent.score(np.arange(inter.n_customers))
    assert not np.any(scores[:, ~sold])
    assert np.any(scores[:, sold] > 0)
    # an empty window leaves every score at zero instead of failing
    empty = RecentEASE(l2=50.0, active_days=0).fit(inter)
    assert not np.any(empty.score(np.arange(3)))
    with pytest.raises(InvalidFieldError):
        RecentEASE(l2=0.0)
    with pytest.raises(NotFittedError):
        RecentEASE().score(np.array([0]))
