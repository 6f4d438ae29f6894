"""Top-k selection helpers agree with a full sort."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from kunde.recommend import top_k_rows
from kunde.recommend._topk import top_k_blocks, top_k_dense, top_k_sparse_rows


def test_top_k_dense_matches_full_sort(rng: np.random.Generator) -> None:
    scores = rng.random((20, 50)).astype(np.float32)
    idx, top = top_k_dense(scores, 5)
    expected = np.argsort(-scores, axis=1)[:, :5]
    np.testing.assert_array_equal(idx, expected)
    np.testing.assert_allclose(top, np.take_along_axis(scores, expected, axis=1))


def test_excluded_columns_come_out_as_minus_one() -> None:
    scores = np.array([[1.0, -np.inf, 0.5, -np.inf]], dtype=np.float32)
    idx, _ = top_k_dense(scores, 4)
    assert idx.tolist() == [[0, 2, -1, -1]]
    idx, _ = top_k_dense(scores, 6)
    assert idx.tolist() == [[0, 2, -1, -1, -1, -1]]


def test_top_k_rows_skips_excluded_items(rng: np.random.Generator) -> None:
    scores = rng.random((6, 10)).astype(np.float32)
    exclude = sp.csr_matrix(np.eye(6, 10))
    idx, _ = top_k_rows(lambda users: scores[users], np.arange(6), 3, exclude=exclude)
    for user, row in enumerate(idx):
        assert user not in row
        kept = np.delete(np.arange(10), user)
        expected = kept[np.argsort(-scores[user, kept])[:3]]
        assert row.tolist() == expected.tolist()


def test_sparse_rows_keep_the_largest(rng: np.random.Generator) -> None:
    dense = rng.random((15, 30)) * (rng.random((15, 30)) < 0.4)
    top = top_k_sparse_rows(sp.csr_matrix(dense), 3).toarray()
    for row, kept in zip(dense, top, strict=True):
        nz = np.flatnonzero(row)
        best = nz[np.argsort(-row[nz])[:3]]
        assert set(np.flatnonzero(kept)) == set(best)
        np.testing.assert_allclose(kept[best], row[best])


def test_blocks_match_dense_selection(rng: np.random.Generator) -> None:
    dense = (rng.random((40, 40)) - 0.3).astype(np.float32)
    sparse = top_k_blocks(lambda a, b: dense[a:b].copy(), 40, 40, 4).toarray()
    for row, kept in zip(dense, sparse, strict=True):
        positive = np.flatnonzero(row > 0)
        best = positive[np.argsort(-row[positive])[:4]]
        assert set(np.flatnonzero(kept)) == set(best)
