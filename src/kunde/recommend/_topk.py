"""Vectorised top-k selection on dense score blocks and on sparse rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = [
    "top_k_blocks",
    "top_k_blocks_of_many",
    "top_k_dense",
    "top_k_positive",
    "top_k_rows",
    "top_k_sparse_rows",
]

BLOCK_ROWS = 2048
BLOCK_ELEMENTS = 4_000_000
"""Dense entries per block when a large matrix is built block by block (16 MB in float32)."""
RUNS_PER_K = 4
"""Runs per kept entry whose maxima bound a row's k-th largest value (:func:`top_k_where`)."""
WIDE_PER_K = 8
"""Entries per kept entry reaching that bound beyond which a row is partitioned whole."""


def top_k_dense(
    scores: NDArray[np.float32], k: int, *, many_ties: bool = False
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Top ``k`` columns of every row, best first; ``-inf`` scores come out as index -1.

    Equal scores are ordered as ``argpartition`` of the whole row orders them. Rows without
    ties among their ``k + 1`` best take a faster path (:func:`_top_k_untied`) to the same
    answer; ``many_ties`` skips it where most rows have ties anyway (cosines of 0/1 vectors).

    Args:
        scores: dense (rows × columns) scores; ``-inf`` marks a column that must not be chosen.
        k: number of columns per row.
        many_ties: expect ties in most rows (only saves time).

    Returns:
        Column indices (rows × k, -1 where fewer than k columns were allowed) and their scores.
    """
    n_rows, n_cols = scores.shape
    k_eff = min(k, n_cols)
    if k_eff == 0:
        return np.full((n_rows, k), -1, dtype=np.int64), np.full((n_rows, k), -np.inf, np.float32)
    if k_eff < n_cols and not many_ties:
        idx, top, tied = _top_k_untied(scores, k_eff)
        if tied.any():  # the order among equal scores is argpartition's: ask it
            idx[tied], top[tied] = _top_k_partitioned(scores[tied], k_eff)
    else:
        idx, top = _top_k_partitioned(scores, k_eff)
    idx[~np.isfinite(top)] = -1
    if k_eff < k:
        pad = k - k_eff
        idx = np.hstack([idx, np.full((n_rows, pad), -1, dtype=np.int64)])
        top = np.hstack([top, np.full((n_rows, pad), -np.inf, dtype=np.float32)])
    return idx, top


def _top_k_partitioned(
    scores: NDArray[np.float32], k: int
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Top ``k`` of every row by ``argpartition`` of the whole row, ties in its order."""
    n_rows, n_cols = scores.shape
    if k < n_cols:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        part = np.broadcast_to(np.arange(n_cols), (n_rows, n_cols)).copy()
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    idx = np.take_along_axis(part, order, axis=1).astype(np.int64)
    return idx, np.take_along_axis(part_scores, order, axis=1).astype(np.float32)


def _top_k_untied(
    scores: NDArray[np.float32], k: int
) -> tuple[NDArray[np.int64], NDArray[np.float32], NDArray[np.bool_]]:
    """Top ``k`` (< columns) of every row and the rows where ties make the choice ambiguous.

    The ``k + 1`` largest finite scores of a row are found among the entries reaching a lower
    bound (see :func:`top_k_where`) and sorted. Where those ``k + 1`` are distinct, only one
    answer exists, the one :func:`_top_k_partitioned` gives; rows with equal finite scores
    among them (or NaN, ``+inf``) are flagged for it.
    """
    scores = np.ascontiguousarray(scores)
    n_rows, n_cols = scores.shape
    need = k + 1
    n_runs = min(RUNS_PER_K * need, n_cols)
    run_max = _run_maxima(scores, n_runs)
    bound = np.partition(run_max, n_runs - need, axis=1)[:, n_runs - need]
    flat = np.flatnonzero((scores >= bound[:, None]) & (scores > -np.inf))
    rows = flat // n_cols
    counts = np.bincount(rows, minlength=n_rows)
    offset = np.arange(len(flat)) - (np.cumsum(counts) - counts)[rows]
    wide = counts > WIDE_PER_K * need  # a loose bound (many equal scores): left to partition
    narrow = ~wide[rows]
    rows, offset, flat = rows[narrow], offset[narrow], flat[narrow]
    width = max(int(counts[~wide].max(initial=0)), need)
    values = np.full((n_rows, width), -np.inf, dtype=scores.dtype)
    values[rows, offset] = scores.reshape(-1)[flat]
    cols = np.full((n_rows, width), -1, dtype=np.int64)
    cols[rows, offset] = flat - rows * n_cols
    order = np.argsort(-values, axis=1, kind="stable")[:, :need]
    top = np.take_along_axis(values, order, axis=1)
    idx = np.take_along_axis(cols, order, axis=1)
    tied = np.any((top[:, :k] == top[:, 1:]) & (top[:, :k] > -np.inf), axis=1)
    row_max = scores.max(axis=1)  # NaN where the row holds one (max propagates NaN)
    tied |= np.isnan(row_max) | (row_max == np.inf) | wide
    return idx[:, :k], top[:, :k].astype(np.float32), tied


NARROW_RUN = 8
"""Runs of at most this many columns are reduced by strided maxima instead of ``reduceat``."""


def _run_maxima(scores: NDArray[Any], n_runs: int) -> NDArray[Any]:
    """Maxima of ``n_runs`` disjoint runs of each row's columns (rows × n_runs).

    Any disjoint runs make the k-th largest maximum a lower bound of the row's k-th largest
    value, which is all :func:`top_k_where` and :func:`_top_k_untied` use them for: the
    entries they choose do not depend on where the runs are cut. Short runs of equal width
    (the last ``n_cols mod n_runs`` columns left out) take one ``maximum`` per column of a
    run over strided views, several times faster than ``reduceat`` on runs of a few columns.
    """
    n_cols = scores.shape[1]
    width = n_cols // n_runs
    if width > NARROW_RUN:
        wide: NDArray[Any] = np.maximum.reduceat(
            scores, np.arange(n_runs) * n_cols // n_runs, axis=1
        )
        return wide
    stop = width * n_runs
    run_max: NDArray[Any] = scores[:, 0:stop:width].copy()
    for offset in range(1, width):  # a few columns per run, not a loop over data
        np.maximum(run_max, scores[:, offset:stop:width], out=run_max)
    return run_max


def top_k_rows(
    score_block: Callable[[NDArray[np.int64]], NDArray[np.float32]],
    rows: NDArray[np.int64],
    k: int,
    *,
    exclude: sp.csr_matrix | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Top ``k`` items for many rows, scoring them block by block to bound memory.

    Args:
        score_block: returns dense scores (len(block) × n_items) for a block of row ids.
        rows: row ids (customers) to rank for.
        k: list length.
        exclude: optional CSR (any rows × n_items); its non-zeros in a row are never chosen.

    Returns:
        Item indices (len(rows) × k, -1 padded) and scores.
    """
    out_idx: list[NDArray[np.int64]] = []
    out_scores: list[NDArray[np.float32]] = []
    for start in range(0, len(rows), BLOCK_ROWS):
        block = rows[start : start + BLOCK_ROWS]
        scores = np.array(score_block(block), dtype=np.float32, copy=True)
        if exclude is not None:
            ex = exclude[block].tocoo()
            scores[ex.row, ex.col] = -np.inf
        idx, top = top_k_dense(scores, k)
        out_idx.append(idx)
        out_scores.append(top)
    if not out_idx:
        return np.empty((0, k), dtype=np.int64), np.empty((0, k), dtype=np.float32)
    return np.vstack(out_idx), np.vstack(out_scores)


def top_k_sparse_rows(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the ``k`` largest entries of every row of a CSR matrix.

    Rows with at most ``k`` entries stay as they are. The longer ones are grouped by length
    (each group's lengths within a factor of two), laid out as one dense array per group
    padded with ``-inf``, and cut with :func:`top_k_where`: the work is proportional to the
    entries, not to rows × columns.
    """
    m = sp.csr_matrix(matrix)
    m.sum_duplicates()
    counts = np.diff(m.indptr)
    long_rows = np.flatnonzero(counts > k)
    if m.nnz == 0 or len(long_rows) == 0:
        return m
    keep = np.ones(m.nnz, dtype=bool)
    group = np.ceil(np.log2(counts[long_rows])).astype(np.int64)
    for g in np.unique(group):
        rows = long_rows[group == g]
        row_counts = counts[rows]
        width = int(row_counts.max())
        local = np.repeat(np.arange(len(rows)), row_counts)
        offset = np.arange(int(row_counts.sum())) - np.repeat(
            np.cumsum(row_counts) - row_counts, row_counts
        )
        pos = np.repeat(m.indptr[rows], row_counts) + offset
        padded = np.full((len(rows), width), -np.inf, dtype=np.float64)
        padded[local, offset] = m.data[pos]
        r, c = top_k_where(padded, k, np.isfinite(padded))
        chosen = np.zeros(padded.shape, dtype=bool)
        chosen[r, c] = True
        keep[pos] = chosen[local, offset]
    row = np.repeat(np.arange(m.shape[0]), counts)[keep]
    indptr = np.zeros(m.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=m.shape[0]), out=indptr[1:])
    return sp.csr_matrix((m.data[keep], m.indices[keep], indptr), shape=m.shape)


def top_k_positive(block: NDArray[np.float32], k: int) -> tuple[NDArray[np.int64], ...]:
    """Positions (rows, columns, row-major) of the ``k`` largest positive entries of each row."""
    return top_k_where(block, k, block > 0)


def top_k_where(
    block: NDArray[np.floating[Any]], k: int, valid: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], ...]:
    """Positions (rows, columns, row-major) of the ``k`` largest ``valid`` entries of each row.

    Every invalid entry must lie below every valid one of its row (entries ≤ 0 when the
    positive ones are valid, ``-inf`` padding when the finite ones are).

    A row's columns are cut into ``RUNS_PER_K · k`` runs; the k-th largest of the runs'
    maxima is a lower bound of the row's k-th largest value (k distinct entries reach it). Only
    the few valid entries that reach the bound are partitioned to find that value, and the
    entries reaching it are kept. Rows where ties push the count past ``k`` are cut by
    ``argpartition`` of the whole row. Same choice, tie for tie, as one ``np.partition`` of
    the whole block followed by that ``argpartition``, at a fraction of its cost.
    """
    block = np.ascontiguousarray(block)
    n_rows, n_cols = block.shape
    if k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    if k >= n_cols:
        rows, cols = np.divmod(np.flatnonzero(valid), max(n_cols, 1))
        return rows.astype(np.int64), cols.astype(np.int64)
    n_runs = min(RUNS_PER_K * k, n_cols)
    run_max = _run_maxima(block, n_runs)
    bound = np.partition(run_max, n_runs - k, axis=1)[:, n_runs - k]
    flat = np.flatnonzero((block >= bound[:, None]) & valid)
    rows = flat // n_cols
    values = block.reshape(-1)[flat]
    counts = np.bincount(rows, minlength=n_rows)
    offset = np.arange(len(flat)) - (np.cumsum(counts) - counts)[rows]
    # a loose bound (many equal values): the row keeps kth = -inf, so all of its entries
    # reach it and argpartition of the whole row decides below
    wide = counts > WIDE_PER_K * k
    narrow = ~wide[rows]
    width = max(int(counts[~wide].max(initial=0)), k)
    padded = np.full((n_rows, width), -np.inf, dtype=block.dtype)
    padded[rows[narrow], offset[narrow]] = values[narrow]
    kth = np.partition(padded, width - k, axis=1)[:, width - k]
    chosen = (values >= kth[rows]) | (counts <= k)[rows]
    over = np.flatnonzero(np.bincount(rows[chosen], minlength=n_rows) > k)
    keep = flat[chosen & ~np.isin(rows, over)]
    if len(over):  # ties at the k-th value: argpartition of the row decides
        top = np.argpartition(-block[over], k - 1, axis=1)[:, :k]
        ok = valid[over[:, None], top]
        keep = np.sort(np.concatenate([keep, (over[:, None] * n_cols + top)[ok]]))
    out_rows, out_cols = np.divmod(keep, n_cols)
    return out_rows.astype(np.int64), out_cols.astype(np.int64)


def top_k_blocks(
    block_rows: Callable[[int, int], NDArray[np.float32] | sp.csr_matrix],
    n_rows: int,
    n_cols: int,
    k: int,
) -> sp.csr_matrix:
    """Sparse top-``k`` of a large matrix that is only ever built in blocks of rows.

    Args:
        block_rows: returns the rows ``[start, stop)``, dense or CSR (absent entries are
            zero); entries ≤ 0 are never kept.
        n_rows: number of rows.
        n_cols: number of columns.
        k: entries kept per row.

    Returns:
        CSR float32 (n_rows × n_cols) with at most ``k`` positive entries per row.
    """
    return top_k_blocks_of_many(lambda a, b: (block_rows(a, b),), 1, n_rows, n_cols, k)[0]


def top_k_blocks_of_many(
    block_rows: Callable[[int, int], Sequence[NDArray[np.float32] | sp.csr_matrix]],
    n_matrices: int,
    n_rows: int,
    n_cols: int,
    k: int,
) -> list[sp.csr_matrix]:
    """:func:`top_k_blocks` of several matrices whose blocks are cheapest built together.

    A block may be dense or CSR (absent entries count as zero: it is made dense here).
    """
    step = max(1, BLOCK_ELEMENTS // max(n_cols, 1))
    parts: list[list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float32]]]] = [
        [] for _ in range(n_matrices)
    ]
    for start in range(0, n_rows, step):
        stop = min(start + step, n_rows)
        for out, block in zip(parts, block_rows(start, stop), strict=True):
            if isinstance(block, sp.csr_matrix) and not (block.data > 0).any():
                continue  # nothing to keep (e.g. substitutes in a shop without categories)
            if isinstance(block, sp.csr_matrix):
                dense = np.asarray(block.toarray(), dtype=np.float32)
            else:
                dense = np.asarray(block, dtype=np.float32)
            r, c = top_k_positive(dense, k)
            out.append((r + start, c, dense[r, c]))
    return [_csr_of(out, n_rows, n_cols) for out in parts]


def _csr_of(
    parts: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float32]]],
    n_rows: int,
    n_cols: int,
) -> sp.csr_matrix:
    if not parts:
        return sp.csr_matrix((n_rows, n_cols), dtype=np.float32)
    row = np.concatenate([p[0] for p in parts])
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n_rows), out=indptr[1:])
    return sp.csr_matrix(
        (np.concatenate([p[2] for p in parts]), np.concatenate([p[1] for p in parts]), indptr),
        shape=(n_rows, n_cols),
    )
