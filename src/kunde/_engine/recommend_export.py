"""``kunde recommend export``: top-k lists of many customers at once, in matrix form.

Each customer's row is their stored personal candidates (only with their ``personalization``
consent, and only while they have not reset or removed interests since training) followed by
the popular products of their segment; purchases (``--exclude-purchased``: every product they
bought; otherwise durables only), removed categories and repeats are masked out, and the first
``k`` left are written. No Python loop over customers: every step is an array operation over
the (customers × candidates) matrix.

Merged customers: each asked-for id is resolved to its profile (vectorised); rows are built per
profile and written under every id asked for, so an absorbed id gets its profile's list. The
profile's consent is the person's latest expressed will (the newest ``personalization`` entry
among its members); a
profile merged or unmerged since training, like one reset since, gets the popular list until the
next ``kunde train``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde._engine.recommend_data import RecommendData, index_of, load_data, profiles_of
from kunde._engine.recommend_model import RecommendModel
from kunde._engine.recommend_train import durable_mask
from kunde.config import Settings
from kunde.privacy import Purpose, latest_per_profile
from kunde.recommend import top_k_rows
from kunde.store import Store

__all__ = ["export"]


def _first_occurrence(matrix: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Per row, True at the first occurrence of each value (later repeats False)."""
    order = np.argsort(matrix, axis=1, kind="stable")
    ordered = np.take_along_axis(matrix, order, axis=1)
    repeat = np.zeros_like(ordered, dtype=bool)
    repeat[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
    first = np.ones_like(repeat)
    np.put_along_axis(first, order, ~repeat, axis=1)
    return first


def export(
    store: Store,
    settings: Settings,
    model: RecommendModel,
    output: Path,
    *,
    k: int = 10,
    customers: Sequence[str] | None = None,
    exclude_purchased: bool = False,
) -> int:
    """Write ``customer_id,rank,product_id,score,reason`` rows; return how many."""
    data = load_data(store, settings.recommend_category_depth)
    if customers is None:
        ids = model.customer_ids
    else:
        ids = np.unique(np.array(list(customers), dtype=np.str_))
    n, n_items = len(ids), len(model.product_ids)
    resolution = store.identity.resolution()
    profiles, at_profile = np.unique(profiles_of(resolution, ids), return_inverse=True)
    row = index_of(model.customer_ids, profiles)[at_profile]

    # the person's latest expressed will: the newest entry among the profile's ids decides
    state_ids, entry_ids, granted = store.consents.latest(Purpose.PERSONALIZATION)
    state_profiles, profile_granted = latest_per_profile(
        profiles_of(resolution, state_ids.astype(np.str_)), entry_ids, granted
    )
    ok = np.isin(profiles, state_profiles[profile_granted].astype(np.str_))
    personal = (row >= 0) & ok[at_profile]
    reset_ids, reset_day = store.recommend.resets()
    trained = np.datetime64(datetime.fromisoformat(model.trained_at), "D").astype(np.int64)
    # a reset on or after the training day, or a merge or unmerge since training, makes the
    # stored list stale: popular until the next train
    stale = [profiles_of(resolution, reset_ids[reset_day >= trained]), _regrouped(model, data)]
    personal &= ~np.isin(profiles, np.concatenate(stale))[at_profile]

    cand = np.where(personal[:, None], model.candidates[np.maximum(row, 0)], -1).astype(np.int64)
    cust_ids, country = store.recommend.customer_countries()
    seg = np.full(n, -1, dtype=np.int64)
    at = index_of(np.sort(cust_ids), profiles[at_profile])
    seg_country = country[np.argsort(cust_ids)][np.maximum(at, 0)] if len(cust_ids) else ids
    seg[at >= 0] = index_of(model.segment_names, seg_country.astype(np.str_))[at >= 0]
    shop = model.shop_popular()[: model.segment_popular.shape[1]]
    shop_row = np.full(model.segment_popular.shape[1], -1, dtype=np.int64)
    shop_row[: len(shop)] = shop
    popular = np.where(
        (seg >= 0)[:, None], model.segment_popular[np.maximum(seg, 0)], shop_row[None, :]
    ).astype(np.int64)
    matrix = np.hstack([cand, popular])
    is_personal = np.zeros(matrix.shape, dtype=bool)
    is_personal[:, : cand.shape[1]] = True

    # the customers' purchases, in the model's product indices
    data_item = index_of(model.product_ids, data.product_ids)[data.item]
    data_row = index_of(profiles, data.customer_ids)[np.maximum(data.customer, 0)]
    mine = (data.customer >= 0) & (data_row >= 0) & (data_item >= 0)
    durable = durable_mask(model.category_names, settings.recommend_consumable_categories)
    bought_item = data_item[mine]
    keep = np.ones(len(bought_item), dtype=bool)
    if not exclude_purchased:
        cat = model.item_category[bought_item]
        keep = np.where(cat >= 0, durable[np.maximum(cat, 0)], True)
    keep &= ~data.is_gift[mine]
    keys = at_profile.astype(np.int64)[:, None] * n_items + np.maximum(matrix, 0)
    banned = data_row[mine][keep] * n_items + bought_item[keep]
    allowed = (matrix >= 0) & ~np.isin(keys, banned) & _first_occurrence(matrix)

    removed_ids, removed_cat = store.recommend.removals()
    if len(removed_ids):
        r_row = index_of(profiles, profiles_of(resolution, removed_ids))
        r_cat = model.category_index(removed_cat.tolist())
        ok = (r_row >= 0) & (r_cat >= 0)
        n_cat = max(len(model.category_names), 1)
        cat_keys = at_profile[:, None] * n_cat + model.item_category[np.maximum(matrix, 0)]
        allowed &= ~(is_personal & np.isin(cat_keys, r_row[ok] * n_cat + r_cat[ok]))

    position = np.where(allowed, -np.arange(matrix.shape[1], dtype=np.float32), -np.inf)
    pick, _ = top_k_rows(lambda rows: position[rows], np.arange(n, dtype=np.int64), k)
    valid = pick >= 0
    items = np.where(valid, np.take_along_axis(matrix, np.maximum(pick, 0), axis=1), -1)
    from_personal = valid & np.take_along_axis(is_personal, np.maximum(pick, 0), axis=1)

    own = data.shapes_profile[mine]
    profile = sp.csr_matrix(
        (np.ones(int(own.sum())), (data_row[mine][own], data_item[mine][own])),
        shape=(len(profiles), n_items),
    )[at_profile]
    because = _because(model, profile, items, from_personal)

    rr, cc = np.nonzero(valid)
    names = model.names
    reason = np.where(
        from_personal[rr, cc],
        np.where(
            because[rr, cc] >= 0,
            np.char.add("because you bought ", names[np.maximum(because[rr, cc], 0)]),
            "picked for your interests",
        ),
        "popular this week",
    )
    table = pa.table(
        {
            "customer_id": pa.array(ids[rr].tolist(), pa.string()),
            "rank": (cc + 1).astype(np.int64),
            "product_id": pa.array(model.product_ids[items[rr, cc]].tolist(), pa.string()),
            "score": np.round(1.0 - cc / k, 4),
            "reason": pa.array(reason.tolist(), pa.string()),
        }
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, output, pacsv.WriteOptions(quoting_style="needed"))
    return int(table.num_rows)


def _regrouped(model: RecommendModel, data: RecommendData) -> NDArray[np.str_]:
    """Profiles whose customer ids differ from training (merged or unmerged since)."""
    ids = np.union1d(model.absorbed_ids.astype(np.str_), data.absorbed_ids)
    then = _profile_in(model.absorbed_ids.astype(np.str_), model.absorbed_profile, ids)
    now = _profile_in(data.absorbed_ids, data.absorbed_profile, ids)
    moved = then != now
    return np.concatenate([ids[moved], then[moved], now[moved]]).astype(np.str_)


def _profile_in(
    absorbed: NDArray[np.str_], profile: NDArray[np.str_], ids: NDArray[np.str_]
) -> NDArray[np.str_]:
    """The profile of each of ``ids`` under the merges ``absorbed -> profile`` (sorted)."""
    at = index_of(absorbed, ids)
    out = ids.astype(object)
    out[at >= 0] = profile[at[at >= 0]]
    return out.astype(np.str_)


def _because(
    model: RecommendModel,
    profile: sp.csr_matrix,
    items: NDArray[np.int64],
    personal: NDArray[np.bool_],
) -> NDArray[np.int64]:
    """Per (customer, slot), the customer's purchase most similar to the product (-1: none).

    One sparse product per slot (k of them), each over all customers at once.
    """
    out = np.full(items.shape, -1, dtype=np.int64)
    sim_t = sp.csc_matrix(model.similarity)
    for j in range(items.shape[1]):  # k columns, not customers
        column = sim_t[:, np.maximum(items[:, j], 0)].T  # customers × products
        weighted = sp.csr_matrix(profile.multiply(column))
        if weighted.nnz == 0:
            continue
        best = np.asarray(weighted.argmax(axis=1)).ravel()
        top = np.asarray(weighted.max(axis=1).toarray()).ravel()
        out[:, j] = np.where((top > 0) & personal[:, j], best, -1)
    return out
