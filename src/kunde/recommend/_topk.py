"""Vectorised top-k selection on dense score blocks and on sparse rows."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["top_k_blocks", "top_k_dense", "top_k_rows", "top_k_sparse_rows"]

BLOCK_ROWS = 2048


def top_k_dense(
    scores: NDArray[np.float32], k: int
) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Top ``k`` columns of every row, best first; ``-inf`` scores come out as index -1.

    Args:
        scores: dense (rows × columns) scores; ``-inf`` marks a column that must not be chosen.
        k: number of columns per row.

    Returns:
        Column indices (rows × k, -1 where fewer than k columns were allowed) and their scores.
    """
    n_rows, n_cols = scores.shape
    k_eff = min(k, n_cols)
    if k_eff == 0:
        return np.full((n_rows, k), -1, dtype=np.int64), np.full((n_rows, k), -np.inf, np.float32)
    if k_eff < n_cols:
        part = np.argpartition(-scores, k_eff - 1, axis=1)[:, :k_eff]
    else:
        part = np.broadcast_to(np.arange(n_cols), (n_rows, n_cols)).copy()
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    idx = np.take_along_axis(part, order, axis=1).astype(np.int64)
    top = np.take_along_axis(part_scores, order, axis=1).astype(np.float32)
    idx[~np.isfinite(top)] = -1
    if k_eff < k:
        pad = k - k_eff
        idx = np.hstack([idx, np.full((n_rows, pad), -1, dtype=np.int64)])
        top = np.hstack([top, np.full((n_rows, pad), -np.inf, dtype=np.float32)])
    return idx, top


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

    Works on all rows at once with one sort: each entry gets the key
    ``row + 0.5 · (1 − scaled value)``, so that entries come out grouped by row, largest
    first; an entry's position inside its row then decides whether it stays.
    """
    m = sp.csr_matrix(matrix)
    m.sum_duplicates()
    counts = np.diff(m.indptr)
    if m.nnz == 0 or counts.max() <= k:
        return m
    rows = np.repeat(np.arange(m.shape[0], dtype=np.float64), counts)
    data = m.data.astype(np.float64)
    low, high = float(data.min()), float(data.max())
    scaled = (data - low) / (high - low) if high > low else np.zeros_like(data)
    order = np.argsort(rows + 0.5 * (1.0 - scaled), kind="stable")
    rank = np.arange(m.nnz) - np.repeat(m.indptr[:-1], counts)
    keep = np.sort(order[rank < k])
    out = sp.csr_matrix(
        (m.data[keep], (rows[keep].astype(np.int64), m.indices[keep])), shape=m.shape
    )
    out.sum_duplicates()
    return out


def top_k_blocks(
    block_rows: Callable[[int, int], NDArray[np.float32]], n_rows: int, n_cols: int, k: int
) -> sp.csr_matrix:
    """Sparse top-``k`` of a large dense matrix that is only ever built in blocks of rows.

    Args:
        block_rows: returns the dense rows ``[start, stop)``; entries ≤ 0 are never kept.
        n_rows: number of rows.
        n_cols: number of columns.
        k: entries kept per row.

    Returns:
        CSR float32 (n_rows × n_cols) with at most ``k`` positive entries per row.
    """
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    vals: list[NDArray[np.float32]] = []
    for start in range(0, n_rows, BLOCK_ROWS // 2):
        stop = min(start + BLOCK_ROWS // 2, n_rows)
        block = np.asarray(block_rows(start, stop), dtype=np.float32)
        idx, top = top_k_dense(block, k)
        ok = (idx >= 0) & (top > 0)
        rows.append(np.repeat(np.arange(start, stop), ok.sum(axis=1)))
        cols.append(idx[ok])
        vals.append(top[ok])
    if not rows:
        return sp.csr_matrix((n_rows, n_cols), dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_cols),
        dtype=np.float32,
    )
