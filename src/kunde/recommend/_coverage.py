"""Catalog coverage of top-k lists and the smallest popularity penalty that reaches a target.

Coverage (the share of the catalog in at least one list) is a property of the lists alone: it
needs no purchases after the lists are made, so a model can be calibrated to a coverage level
when it is fitted, on the customers it is about to serve.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kunde.errors import InvalidFieldError
from kunde.recommend._topk import top_k_dense

__all__ = ["PENALTY_GRID", "covered_items", "smallest_penalty"]

PENALTY_GRID: NDArray[np.float64] = np.round(np.arange(0.0, 1.0001, 0.05), 2)
"""Penalties :func:`smallest_penalty` tries by default: 0, 0.05, …, 1."""


def covered_items(
    candidates: NDArray[np.int64], logit: NDArray[np.float32], k: int, n_items: int
) -> NDArray[np.bool_]:
    """Per product, whether it is in some row's top ``k`` of ``logit`` (``-1`` = no candidate)."""
    masked = np.where(candidates >= 0, logit, -np.inf).astype(np.float32)
    pos, _ = top_k_dense(masked, k)
    picked = np.take_along_axis(candidates, np.maximum(pos, 0), axis=1)[pos >= 0]
    out = np.zeros(n_items, dtype=bool)
    out[picked[(picked >= 0) & (picked < n_items)]] = True
    return out


def smallest_penalty(
    blocks: list[tuple[NDArray[np.int64], NDArray[np.float32], NDArray[np.float32]]],
    k: int,
    n_items: int,
    target: float,
    grid: ArrayLike = PENALTY_GRID,
) -> tuple[float, float]:
    """The smallest penalty of ``grid`` whose lists cover at least ``target`` of the catalog.

    Args:
        blocks: per block of customers, ``(candidates, logit, basis)`` — candidate products
            (rows × c, -1 padded), their logits and the per-candidate value the penalty
            multiplies (e.g. log recent buyers); the list score is ``logit − g · basis``.
        k: list length.
        n_items: catalog size.
        target: catalog share to reach (0 … 1).
        grid: penalties to try, in increasing order.

    Returns:
        ``(penalty, coverage)``: the first grid value reaching ``target`` and its coverage, or,
        when none does, the grid value with the highest coverage (the first of equals).
    """
    g = np.asarray(grid, dtype=np.float64).reshape(-1)
    if len(g) == 0 or np.any(np.diff(g) < 0):
        raise InvalidFieldError("grid", "give at least one penalty, in increasing order")
    if k < 1 or n_items < 1:
        raise InvalidFieldError("k", "k and n_items must be at least 1")
    coverage = np.zeros(len(g), dtype=np.float64)
    for n, penalty in enumerate(g):  # ~20 penalties; each pass is vectorised over customers
        seen = np.zeros(n_items, dtype=bool)
        for cand, logit, basis in blocks:
            seen |= covered_items(cand, (logit - np.float32(penalty) * basis), k, n_items)
        coverage[n] = seen.sum() / n_items
        if coverage[n] >= target:
            return float(penalty), float(coverage[n])
    best = int(np.argmax(coverage))
    return float(g[best]), float(coverage[best])
