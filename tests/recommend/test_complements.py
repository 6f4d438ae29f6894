"""Complements across categories, substitutes within one."""

from __future__ import annotations

import numpy as np
import pytest

from kunde.errors import InvalidFieldError, NotFittedError
from kunde.recommend import Complements

from .conftest import Lines


def test_complements_cross_categories_and_substitutes_do_not(planted: Lines) -> None:
    model = Complements(5, min_support=2).fit(planted.interactions(), planted.category)
    found_complement = 0
    for item in range(planted.n_items):
        comp, lifts = model.complements(item)
        subs, _ = model.substitutes(item)
        assert np.all(planted.category[comp] != planted.category[item])
        assert np.all(planted.category[subs] == planted.category[item])
        assert np.all(lifts > 0)
        if len(comp):
            found_complement += 1
            # the planted group holds the real complements
            assert planted.group_of_item[comp[0]] == planted.group_of_item[item]
    assert found_complement == planted.n_items


def test_min_support_drops_thin_pairs(planted: Lines) -> None:
    loose = Complements(50, min_support=1).fit(planted.interactions(), planted.category)
    strict = Complements(50, min_support=30).fit(planted.interactions(), planted.category)
    assert strict.complements_.nnz < loose.complements_.nnz


def test_unknown_category_never_counts_as_same() -> None:
    from kunde.recommend import build_interactions

    inter = build_interactions(
        customer=[0, 0, 1, 1, 2, 2],
        basket=[0, 0, 1, 1, 2, 2],
        item=[0, 1, 0, 1, 0, 1],
        day=[0] * 6,
        quantity=[1] * 6,
        is_gift=[False] * 6,
        kind=["product"] * 6,
        n_items=2,
    )
    model = Complements(min_support=1, shrinkage=0).fit(inter, [-1, -1])
    assert model.complements(0)[0].tolist() == [1]
    assert model.substitutes(0)[0].tolist() == []


def test_refuses_bad_input(planted: Lines) -> None:
    with pytest.raises(InvalidFieldError):
        Complements().fit(planted.interactions(), planted.category[:3])
    with pytest.raises(NotFittedError):
        Complements().complements(0)
    with pytest.raises(InvalidFieldError):
        Complements(min_support=0)
