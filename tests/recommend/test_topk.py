"""Top-k selection helpers agree with a full sort."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from kunde.recommend import top_k_rows
from kunde.recommend._topk import top_k_blocks, top_k_dense, top_k_positive, top_k_sparse_rows


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


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 8),
    st.integers(0, 2**32 - 1),
    st.sampled_from([2, 5, 1000]),
)
def test_sparse_top_k_keeps_the_largest_entries_of_each_row(
    n_rows: int, k: int, seed: int, levels: int
) -> None:
    # few value levels make ties; rows of very different lengths fall into different groups
    rng = np.random.default_rng(seed)
    n_cols = 40
    lengths = rng.integers(0, n_cols + 1, n_rows)
    dense = np.zeros((n_rows, n_cols))
    for r, length in enumerate(lengths):
        cols = rng.choice(n_cols, length, replace=False)
        dense[r, cols] = rng.integers(1, levels + 1, length) - levels / 3
    # explicit entries may be negative; absent ones are not candidates
    matrix = sp.csr_matrix(dense)
    top = top_k_sparse_rows(matrix, k)
    assert top.shape == matrix.shape
    for r in range(n_rows):
        row = matrix.getrow(r)
        kept = top.getrow(r)
        assert kept.nnz == min(k, row.nnz)
        assert set(kept.indices) <= set(row.indices)
        dropped = np.setdiff1d(row.indices, kept.indices)
        if kept.nnz and len(dropped):
            assert kept.data.min() >= dense[r, dropped].max()
        np.testing.assert_allclose(kept.toarray().ravel()[kept.indices], dense[r, kept.indices])


def test_positive_top_k_never_keeps_more_than_k_under_ties() -> None:
    block = np.array([[1.0, 1.0, 1.0, 0.0], [2.0, 0.0, -1.0, 0.0]], dtype=np.float32)
    rows, cols = top_k_positive(block, 2)
    assert np.bincount(rows, minlength=2).tolist() == [2, 1]
    assert set(cols[rows == 0]) <= {0, 1, 2}
    assert cols[rows == 1].tolist() == [0]


def test_keeping_nothing_keeps_nothing() -> None:
    matrix = sp.csr_matrix(np.array([[1.0, 2.0], [0.0, 3.0]]))
    assert top_k_sparse_rows(matrix, 0).nnz == 0
