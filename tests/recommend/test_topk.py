"""Top-k selection helpers agree with a full sort."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from kunde.recommend import top_k_rows
from kunde.recommend._topk import (
    top_k_blocks,
    top_k_blocks_of_many,
    top_k_dense,
    top_k_positive,
    top_k_sparse_rows,
    top_k_where,
)


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


def _partition_reference(
    block: np.ndarray[Any, Any], k: int, valid: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The selection before the lower bound: one np.partition of the whole block, ties cut by
    argpartition of the row (the choice the trained models were made with)."""
    n_cols = block.shape[1]
    if k < n_cols:
        threshold = np.partition(block, n_cols - k, axis=1)[:, n_cols - k]
        keep = (block >= threshold[:, None]) & valid
    else:
        keep = valid.copy()
    over = np.flatnonzero(np.count_nonzero(keep, axis=1) > k)
    if len(over):
        top = np.argpartition(-block[over], k - 1, axis=1)[:, :k]
        keep[over] = False
        keep[over[:, None], top] = valid[over[:, None], top]
    rows, cols = np.divmod(np.flatnonzero(keep), max(n_cols, 1))
    return rows, cols


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(1, 120),
    st.integers(1, 60),
    st.integers(0, 2**32 - 1),
    st.sampled_from([2, 4, 50, 10**6]),
    st.floats(0.0, 1.0),
    st.sampled_from([np.float32, np.float64]),
)
def test_positive_top_k_is_the_partition_choice_tie_for_tie(
    n_rows: int, n_cols: int, k: int, seed: int, levels: int, density: float, dtype: type
) -> None:
    # few value levels make ties at the k-th value; zeros and negatives are never valid
    rng = np.random.default_rng(seed)
    values = rng.integers(-levels // 3, levels + 1, (n_rows, n_cols)).astype(dtype)
    block = np.where(rng.random((n_rows, n_cols)) < density, values, 0).astype(dtype)
    rows, cols = top_k_positive(block, k)
    ref_rows, ref_cols = _partition_reference(block, k, block > 0)
    np.testing.assert_array_equal(rows, ref_rows)
    np.testing.assert_array_equal(cols, ref_cols)
    # and it is the top k of the naive sort: as many as allowed, none better left out
    for r in range(n_rows):
        positive = block[r][block[r] > 0]
        kept = block[r, cols[rows == r]]
        assert len(kept) == min(k, len(positive))
        if len(kept) < len(positive):
            dropped = np.sort(positive)[: len(positive) - len(kept)]
            assert kept.min() >= dropped.max()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_padded_rows_with_minus_inf_match_the_reference(n_rows: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    block = rng.integers(-3, 4, (n_rows, 25)).astype(np.float64)
    block[rng.random(block.shape) < 0.3] = -np.inf
    valid = np.isfinite(block)
    got = top_k_where(block, k, valid)
    ref = _partition_reference(block, k, valid)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_array_equal(got[1], ref[1])


def test_sparse_and_dense_blocks_choose_the_same(rng: np.random.Generator) -> None:
    dense = np.round(rng.random((50, 30)) * 4 - 1).astype(np.float32)
    from_dense, from_sparse = top_k_blocks_of_many(
        lambda a, b: (dense[a:b].copy(), sp.csr_matrix(dense[a:b])), 2, 50, 30, 5
    )
    assert (from_dense != from_sparse).nnz == 0
    assert from_dense.nnz > 0


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(1, 150),
    st.integers(1, 60),
    st.integers(0, 2**32 - 1),
    st.sampled_from([3, 40, 10**6]),
    st.floats(0.0, 1.0),
    st.booleans(),
)
def test_dense_top_k_matches_argpartition_of_whole_rows(
    n_rows: int, n_cols: int, k: int, seed: int, levels: int, allowed: float, odd: bool
) -> None:
    # reference: argpartition of each whole row, then a stable sort of the k it picked (the
    # order the trained models were made with); few levels make ties, -inf excluded columns
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, levels, (n_rows, n_cols)).astype(np.float32) / levels
    scores[rng.random(scores.shape) > allowed] = -np.inf
    if odd:
        scores[rng.random(scores.shape) < 0.02] = np.nan
        scores[rng.random(scores.shape) < 0.02] = np.inf
    idx, top = top_k_dense(scores, k)
    k_eff = min(k, n_cols)
    if k_eff < n_cols:
        part = np.argpartition(-scores, k_eff - 1, axis=1)[:, :k_eff]
    else:
        part = np.broadcast_to(np.arange(n_cols), (n_rows, n_cols)).copy()
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    ref_idx = np.take_along_axis(part, order, axis=1)
    ref_top = np.take_along_axis(part_scores, order, axis=1)
    ref_idx[~np.isfinite(ref_top)] = -1
    np.testing.assert_array_equal(idx[:, :k_eff], ref_idx)
    np.testing.assert_array_equal(top[:, :k_eff], ref_top)
    assert (idx[:, k_eff:] == -1).all()
    many, _ = top_k_dense(scores, k, many_ties=True)
    np.testing.assert_array_equal(many, idx)


def test_rows_of_equal_values_take_the_whole_row_path(rng: np.random.Generator) -> None:
    # a row of one repeated value makes the run bound useless: that row is partitioned whole
    block = rng.random((6, 3000)).astype(np.float32)
    block[1] = 0.5
    block[4, ::2] = 0.25
    block[4, 1::2] = 0.0
    for k in (1, 5, 40):
        rows, cols = top_k_positive(block, k)
        ref_rows, ref_cols = _partition_reference(block, k, block > 0)
        np.testing.assert_array_equal(rows, ref_rows)
        np.testing.assert_array_equal(cols, ref_cols)
        idx, top = top_k_dense(block, k)
        part = np.argpartition(-block, k - 1, axis=1)[:, :k]
        part_scores = np.take_along_axis(block, part, axis=1)
        order = np.argsort(-part_scores, axis=1, kind="stable")
        np.testing.assert_array_equal(idx, np.take_along_axis(part, order, axis=1))
        np.testing.assert_array_equal(top, np.take_along_axis(part_scores, order, axis=1))


def test_sparse_blocks_without_positive_entries_keep_nothing(
    rng: np.random.Generator, monkeypatch: Any
) -> None:
    monkeypatch.setattr("kunde.recommend._topk.BLOCK_ELEMENTS", 10 * 30)  # blocks of 10 rows
    dense = np.round(rng.random((50, 30)) * 4 - 1).astype(np.float32)
    dense[10:30] = np.minimum(dense[10:30], 0.0)  # two blocks of zeros and negatives only
    stored = sp.csr_matrix(np.where(dense == 0, np.float32(7), dense))
    stored.data[stored.data == 7] = 0.0  # every entry stored, the zeros explicitly
    from_dense, from_sparse, nothing = top_k_blocks_of_many(
        lambda a, b: (dense[a:b].copy(), stored[a:b], sp.csr_matrix((b - a, 30))), 3, 50, 30, 5
    )
    assert (from_dense != from_sparse).nnz == 0
    assert from_sparse[10:30].nnz == 0 and from_sparse.nnz > 0
    assert nothing.nnz == 0 and nothing.shape == (50, 30) and nothing.dtype == np.float32
