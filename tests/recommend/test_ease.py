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
