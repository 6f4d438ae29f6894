"""Item-to-item neighbours find a planted co-purchase structure."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from kunde.errors import InvalidFieldError, NotFittedError
from kunde.recommend import ItemKNN, Popularity, bm25_rows, evaluate_lists, temporal_split

from .conftest import Lines, planted_lines


@pytest.mark.parametrize("source", ["basket", "customer", "both"])
def test_also_bought_stays_inside_the_planted_group(planted: Lines, source: str) -> None:
    model = ItemKNN(5, source=source).fit(planted.interactions())  # type: ignore[arg-type]
    same = []
    for item in range(planted.n_items):
        neighbours, scores = model.similar_items(item, 5)
        assert np.all(np.diff(scores) <= 0)
        assert item not in neighbours
        same.append(np.mean(planted.group_of_item[neighbours] == planted.group_of_item[item]))
    assert np.mean(same) > 0.9


def test_quality_floor_on_a_planted_split(rng: np.random.Generator) -> None:
    planted = planted_lines(rng, group_size=24)
    split = temporal_split(
        planted.customer,
        planted.item,
        planted.day,
        planted.quantity,
        planted.is_gift,
        planted.kind,
        90,
        n_customers=planted.n_customers,
        n_items=planted.n_items,
    )
    inter = planted.interactions(split.train_mask)
    knn = ItemKNN(10, profile_half_life_days=30.0).fit(inter)
    pop = Popularity().fit(inter)
    m_knn = evaluate_lists(
        knn.recommend(split.users, 5, exclude=split.exclude), split.users, split.truth
    )
    m_pop = evaluate_lists(
        pop.recommend(split.users, 5, exclude=split.exclude), split.users, split.truth
    )
    assert m_knn.recall > 2 * m_pop.recall
    assert m_knn.ndcg > 2 * m_pop.ndcg
    # nearly every recommendation comes from the customer's planted group
    recs = knn.recommend(split.users, 5, exclude=split.exclude)
    history = inter.profile_matrix()[split.users].toarray()
    groups = np.eye(planted.group_of_item.max() + 1)[planted.group_of_item]
    taste = (history @ groups).argmax(axis=1)
    assert np.mean(planted.group_of_item[recs] == taste[:, None]) > 0.9


def test_text_features_bring_in_products_without_purchases() -> None:
    # product 2 was never bought but shares its name with product 0
    inter_lines = {
        "customer": [0, 0, 1, 1],
        "basket": [0, 0, 1, 1],
        "item": [0, 1, 0, 1],
        "day": [0, 0, 1, 1],
        "quantity": [1] * 4,
        "is_gift": [False] * 4,
        "kind": ["product"] * 4,
    }
    from kunde.recommend import build_interactions, text_features

    inter = build_interactions(**inter_lines, n_items=3)  # type: ignore[arg-type]
    features = text_features(["red lantern", "tea towel", "red lantern large"])
    with_text = ItemKNN(5, content_weight=1.0).fit(inter, features)
    assert 2 in with_text.similar_items(0)[0]
    without = ItemKNN(5).fit(inter)
    assert 2 not in without.similar_items(0)[0]
    # the text neighbours depend on the texts only: computed once, they can be handed over
    model = ItemKNN(5, content_weight=1.0)
    shared = model.fit(inter, text_similarity=model.text_similarity(features))
    assert (shared.similarity_ != with_text.similarity_).nnz == 0
    with pytest.raises(InvalidFieldError, match="text_similarity"):
        model.fit(inter, text_similarity=sp.csr_matrix((2, 2)))


def test_popularity_damping_demotes_popular_neighbours(planted: Lines) -> None:
    inter = planted.interactions()
    plain = ItemKNN(planted.n_items, beta=0.0).fit(inter).similarity_.toarray()
    damped = ItemKNN(planted.n_items, beta=0.5).fit(inter).similarity_.toarray()
    buyers = np.asarray(inter.basket_matrix().sum(axis=0)).ravel()
    popular, rare = int(np.argmax(buyers)), int(np.argmin(buyers))
    ratio_plain = plain[:, popular].sum() / max(plain[:, rare].sum(), 1e-9)
    ratio_damped = damped[:, popular].sum() / max(damped[:, rare].sum(), 1e-9)
    assert ratio_damped < ratio_plain


def test_bm25_weights_down_long_rows() -> None:
    x = np.zeros((8, 4), dtype=np.float32)
    x[0] = 1.0  # a long row holding every item
    x[1, 0] = x[2, 1] = x[3, 2] = x[4, 3] = 1.0
    w = bm25_rows(sp.csr_matrix(x), 1.2, 1.0).toarray()
    assert 0 < w[0, 0] < w[1, 0]
    assert np.allclose(bm25_rows(sp.csr_matrix(x), 1.2, 0.0).toarray()[[0, 1], 0], w[1, 0])


def test_use_before_fit_and_bad_settings() -> None:
    with pytest.raises(NotFittedError):
        ItemKNN().score(np.array([0]))
    with pytest.raises(InvalidFieldError):
        ItemKNN(0)
    with pytest.raises(InvalidFieldError):
        ItemKNN(source="everything")  # type: ignore[arg-type]
    with pytest.raises(InvalidFieldError):
        ItemKNN(alpha=1.5)
