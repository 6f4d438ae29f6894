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


def test_lift_matches_the_dense_definition(planted: Lines) -> None:
    # reference: support and decayed joint weight from two separate dense products
    inter = planted.interactions()
    model = Complements(4, min_support=2, shrinkage=3.0, half_life_days=20.0)
    model.fit(inter, planted.category)
    presence = inter.basket_matrix().toarray().astype(np.float64)
    weighted = inter.basket_matrix(20.0).toarray().astype(np.float64)
    support = presence.T @ presence
    joint = weighted.T @ weighted
    weight = weighted.sum(axis=0)
    lift = joint * weighted.max(axis=1).sum() / np.outer(weight, weight)
    lift *= support / (support + 3.0)
    lift[support < 2] = 0.0
    np.fill_diagonal(lift, 0.0)
    same = planted.category[:, None] == planted.category[None, :]
    for kept, expected in (
        (model.complements_, np.where(same, 0.0, lift)),
        (model.substitutes_, np.where(same, lift, 0.0)),
    ):
        assert kept.nnz > 0
        for item in range(planted.n_items):
            row = kept.getrow(item)
            np.testing.assert_allclose(row.data, expected[item, row.indices], rtol=1e-5)
            left_out = np.setdiff1d(np.flatnonzero(expected[item] > 0), row.indices)
            assert row.nnz == min(4, np.count_nonzero(expected[item] > 0))
            if len(left_out):
                assert row.data.min() >= expected[item, left_out].max() * (1 - 1e-5)


def test_a_shop_without_categories_gets_the_lists_of_one_category_per_product(
    planted: Lines,
) -> None:
    # no category known: every pair is a complement, as when every product has its own
    inter = planted.interactions()
    unknown = Complements(5, min_support=2).fit(inter, np.full(planted.n_items, -1))
    own = Complements(5, min_support=2).fit(inter, np.arange(planted.n_items))
    assert unknown.complements_.nnz > 0
    assert (unknown.complements_ != own.complements_).nnz == 0
    assert unknown.substitutes_.nnz == 0 and own.substitutes_.nnz == 0
    assert unknown.substitutes_.shape == own.substitutes_.shape
