"""Temporal split and list metrics, checked against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from kunde.errors import InvalidFieldError
from kunde.recommend import evaluate_lists, temporal_split

# customer 0 bought item 0 before day 10, items 0 and 1 after; customer 1 only after
SPLIT_LINES = {
    "customer": [0, 0, 0, 1, 2, 2],
    "item": [0, 0, 1, 2, 3, 4],
    "day": [1, 12, 13, 14, 2, 11],
    "quantity": [1, 1, 1, 1, 1, 1],
    "is_gift": [False, False, False, False, False, True],
    "kind": ["product"] * 6,
}


def test_new_to_the_customer_protocol() -> None:
    s = temporal_split(**SPLIT_LINES, split_day=10, n_customers=3, n_items=5)  # type: ignore[arg-type]
    assert s.truth.toarray()[0].tolist() == [0, 1, 0, 0, 0]  # item 0 was bought before
    assert s.users.tolist() == [0]  # customer 1 has no history, customer 2 only a gift after
    assert s.exclude is not None and s.exclude.toarray()[0, 0] == 1
    assert s.train_mask.tolist() == [True, False, False, False, True, False]


def test_all_items_protocol_keeps_rebuys() -> None:
    s = temporal_split(**SPLIT_LINES, split_day=10, protocol="all", n_customers=3, n_items=5)  # type: ignore[arg-type]
    assert s.truth.toarray()[0].tolist() == [1, 1, 0, 0, 0]
    assert s.exclude is None


def test_end_day_bounds_the_test_window() -> None:
    s = temporal_split(**SPLIT_LINES, split_day=10, end_day=13, n_customers=3, n_items=5)  # type: ignore[arg-type]
    assert s.users.tolist() == []


def test_unknown_protocol_is_refused() -> None:
    with pytest.raises(InvalidFieldError):
        temporal_split(**SPLIT_LINES, split_day=10, protocol="some", n_customers=3, n_items=5)  # type: ignore[arg-type]


def test_metrics_by_hand() -> None:
    truth = sp.csr_matrix(np.array([[1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1]], dtype=np.float32))
    recs = np.array([[1, 2, 3], [4, 0, -1]])
    m = evaluate_lists(
        recs,
        np.array([0, 1]),
        truth,
        item_category=np.array([0, 0, 1, 1, 2, 2]),
        item_popularity=np.array([0.5, 0.25, 0.5, 0.125, 1.0, 0.5]),
    )
    assert m.recall == pytest.approx((1 / 2 + 0) / 2)
    assert m.precision == pytest.approx((1 / 3) / 2)
    ideal0 = 1 + 1 / math.log2(3)
    assert m.ndcg == pytest.approx((1 / ideal0) / 2)
    assert m.coverage == pytest.approx(5 / 6)
    # list 0: categories 0,1,1 → 2 of 3 pairs differ; list 1: categories 2,0 → 1 of 1
    assert m.diversity == pytest.approx((2 / 3 + 1) / 2)
    info = [-math.log2(p) for p in (0.25, 0.5, 0.125, 1.0, 0.5)]
    assert m.novelty == pytest.approx(sum(info) / 5)
    assert m.users == 2


def test_perfect_lists_score_one() -> None:
    truth = sp.csr_matrix(np.eye(3, dtype=np.float32))
    m = evaluate_lists(np.array([[0], [1], [2]]), np.arange(3), truth)
    assert (m.recall, m.ndcg, m.precision, m.coverage) == (1.0, 1.0, 1.0, 1.0)
