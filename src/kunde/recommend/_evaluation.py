"""Offline evaluation: temporal split and top-k list metrics.

The protocol follows the usual temporal hold-out (e.g. Ji et al., "A critical study on data
leakage in recommender system offline evaluation", TOIS 2023): everything before the split day
trains, the customers' purchases in ``[split_day, end_day)`` are the truth.

Protocols:
    * ``"new"`` — new to the customer: the truth is what the customer bought after the split and
      had not bought before; already-bought products are excluded from the candidates.
    * ``"all"`` — every product bought after the split counts; nothing is excluded.

Only customers with at least one training purchase and a non-empty truth are evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from kunde.errors import InvalidFieldError

__all__ = ["ListMetrics", "TemporalSplit", "evaluate_lists", "temporal_split"]

Protocol = Literal["new", "all"]


@dataclass(frozen=True)
class TemporalSplit:
    """A temporal hold-out of order lines.

    Attributes:
        train_mask: boolean mask of the lines that happened before the split day.
        truth: CSR bool (n_customers × n_items), the items to be found per customer.
        seen: CSR bool (n_customers × n_items), products each customer bought before the split.
        users: customers to evaluate (training history and non-empty truth).
        exclude: ``seen`` under the "new" protocol, ``None`` under "all".
        protocol: "new" or "all".
    """

    train_mask: NDArray[np.bool_]
    truth: sp.csr_matrix
    seen: sp.csr_matrix
    users: NDArray[np.int64]
    exclude: sp.csr_matrix | None
    protocol: Protocol


def _bool_csr(
    rows: NDArray[np.int64], cols: NDArray[np.int64], shape: tuple[int, int]
) -> sp.csr_matrix:
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape)
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def temporal_split(
    customer: ArrayLike,
    item: ArrayLike,
    day: ArrayLike,
    quantity: ArrayLike,
    is_gift: ArrayLike,
    kind: ArrayLike,
    split_day: int,
    *,
    end_day: int | None = None,
    protocol: Protocol = "new",
    n_customers: int,
    n_items: int,
) -> TemporalSplit:
    """Split order lines at ``split_day`` and derive the truth of each customer.

    Args:
        customer: customer index per line (-1 anonymous).
        item: product index per line.
        day: day number per line.
        quantity: quantity per line (≤ 0 lines are returns and never count as purchases).
        is_gift: gift flag per line; gift lines are neither history nor truth.
        kind: 'product' for product lines (or a boolean array, True = product).
        split_day: first day of the test period.
        end_day: first day after the test period (default: no end).
        protocol: "new" (new to the customer) or "all".
        n_customers: number of customers.
        n_items: number of products.
    """
    if protocol not in ("new", "all"):
        raise InvalidFieldError("protocol", "must be 'new' or 'all'")
    cust = np.asarray(customer, dtype=np.int64)
    itm = np.asarray(item, dtype=np.int64)
    d = np.asarray(day, dtype=np.int64)
    kind_arr = np.asarray(kind)
    is_product = kind_arr if kind_arr.dtype == bool else kind_arr == "product"
    own = is_product & (np.asarray(quantity) > 0) & ~np.asarray(is_gift, dtype=bool) & (cust >= 0)
    train_mask = d < split_day
    test = own & ~train_mask
    if end_day is not None:
        test &= d < end_day
    shape = (n_customers, n_items)
    seen = _bool_csr(cust[own & train_mask], itm[own & train_mask], shape)
    after = _bool_csr(cust[test], itm[test], shape)
    if protocol == "new":
        truth = sp.csr_matrix(after - after.multiply(seen))
        truth.eliminate_zeros()
        exclude: sp.csr_matrix | None = seen
    else:
        truth, exclude = after, None
    has_history = np.diff(seen.indptr) > 0
    has_truth = np.diff(truth.indptr) > 0
    users = np.flatnonzero(has_history & has_truth).astype(np.int64)
    return TemporalSplit(train_mask, truth, seen, users, exclude, protocol)


@dataclass(frozen=True)
class ListMetrics:
    """Mean metrics of top-k lists over the evaluated customers.

    Attributes:
        recall: hits / number of truth items (mean over customers).
        ndcg: binary-relevance NDCG@k (ideal DCG over min(k, |truth|) hits).
        precision: hits / k.
        coverage: share of the catalog that appears in at least one list.
        diversity: intra-list diversity, share of item pairs of a list from different categories.
        novelty: mean self-information −log2(share of training customers who bought the item);
            products never bought count as rare as the rarest bought one.
        users: number of customers evaluated.
    """

    recall: float
    ndcg: float
    precision: float
    coverage: float
    diversity: float
    novelty: float
    users: int

    def as_dict(self) -> dict[str, float]:
        """The metrics as a plain dict (for JSON and tables)."""
        return {
            "recall": self.recall,
            "ndcg": self.ndcg,
            "precision": self.precision,
            "coverage": self.coverage,
            "diversity": self.diversity,
            "novelty": self.novelty,
            "users": float(self.users),
        }


def evaluate_lists(
    recommended: NDArray[np.int64],
    users: NDArray[np.int64],
    truth: sp.csr_matrix,
    *,
    item_category: NDArray[np.int64] | None = None,
    item_popularity: NDArray[np.float64] | None = None,
) -> ListMetrics:
    """Score top-k lists against the truth.

    Args:
        recommended: item indices (len(users) × k), best first, -1 for an empty slot.
        users: the customer (truth row) of each list.
        truth: CSR (n_customers × n_items), non-zero where the item is relevant.
        item_category: category index per item, for intra-list diversity (default: none → 0).
        item_popularity: share of training customers who bought each item, for novelty
            (default: none → 0).
    """
    recs = np.asarray(recommended, dtype=np.int64)
    if recs.ndim != 2 or len(recs) != len(users):
        raise InvalidFieldError("recommended", "expected one row of item indices per user")
    n_users, k = recs.shape
    n_items = int(truth.shape[1])
    if n_users == 0 or k == 0:
        return ListMetrics(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0)
    t = sp.csr_matrix(truth[users])
    t.sum_duplicates()
    t.eliminate_zeros()
    t_rows = np.repeat(np.arange(n_users, dtype=np.int64), np.diff(t.indptr))
    truth_keys = t_rows * n_items + t.indices.astype(np.int64)
    valid = recs >= 0
    rec_keys = np.where(valid, np.arange(n_users)[:, None] * n_items + recs, -1)
    hits = np.isin(rec_keys, truth_keys) & valid
    n_truth = np.diff(t.indptr).astype(np.float64)
    n_hits = hits.sum(axis=1)
    safe = np.maximum(n_truth, 1.0)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits * discount).sum(axis=1)
    ideal = np.cumsum(discount)[np.minimum(n_truth, k).astype(np.int64) - 1]
    ndcg = np.where(n_truth > 0, dcg / np.where(n_truth > 0, ideal, 1.0), 0.0)

    coverage = len(np.unique(recs[valid])) / n_items if n_items else 0.0
    if item_category is not None and k > 1:
        cats = np.where(valid, np.asarray(item_category)[np.maximum(recs, 0)], -1)
        pair_ok = valid[:, :, None] & valid[:, None, :]
        differ = (cats[:, :, None] != cats[:, None, :]) & pair_ok
        n_pairs = pair_ok.sum(axis=(1, 2)) - valid.sum(axis=1)
        div = np.where(n_pairs > 0, differ.sum(axis=(1, 2)) / np.maximum(n_pairs, 1), 0.0)
        diversity = float(div.mean())
    else:
        diversity = 0.0
    if item_popularity is not None:
        pop = np.asarray(item_popularity, dtype=np.float64)
        # products nobody bought in training count as rare as the rarest bought product
        positive = pop[pop > 0]
        floor = float(positive.min()) if positive.size else 1.0
        info = -np.log2(np.clip(pop[np.maximum(recs, 0)], floor, 1.0))
        novelty = float((info * valid).sum() / max(valid.sum(), 1))
    else:
        novelty = 0.0
    return ListMetrics(
        recall=float((n_hits / safe).mean()),
        ndcg=float(ndcg.mean()),
        precision=float((n_hits / k).mean()),
        coverage=float(coverage),
        diversity=diversity,
        novelty=novelty,
        users=int(n_users),
    )
