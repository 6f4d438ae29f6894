"""Every profile's purchase history for the value models, read from the store or from the
summary the last fit kept (:mod:`kunde._engine.value_snapshot`)."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kunde._engine import value_snapshot
from kunde._engine.value_consent import objected_mask, objected_profiles
from kunde.config import Settings
from kunde.errors import InputError
from kunde.privacy import consent_mask
from kunde.store import Store
from kunde.store.value import CustomerDays
from kunde.value import CustomerSummary, summarize_customer_days, summarize_customer_totals

__all__ = [
    "Ids",
    "current_summary",
    "days_summary",
    "id_column",
    "kept_summary",
    "store_summary",
]

Ids: TypeAlias = "pa.Array | np.ndarray[Any, np.dtype[np.object_]]"
"""Customer ids aligned with a summary: Arrow strings, or a numpy array of Python strings."""


def store_summary(
    store: Store, as_of: date | None, *, ids: bool = True
) -> tuple[Ids, CustomerSummary]:
    """Every profile's purchase history: customers merged into one profile count as one, a day
    several of them bought on once (the summary counts distinct days per index).

    Without ``as_of``, the per-customer totals the store keeps up to date are read (one row per
    customer); only the customers in an active merge are summarised again from their days. With
    ``as_of``, the days up to it are read and summarised. Ids come in no particular order.
    """
    if as_of is None:
        return current_summary(store, ids=ids)
    rows = store.value.customer_days(as_of)
    if rows.day.size == 0 or not np.any(rows.purchase_lines > 0):
        raise InputError("no purchases stored (up to the as-of date): import orders first")
    return days_summary(store, rows, as_of)


def days_summary(
    store: Store, rows: CustomerDays, as_of: date | int | None, *, part: bool = False
) -> tuple[np.ndarray[Any, np.dtype[np.object_]], CustomerSummary]:
    """``part``: the rows are only some customers' (merged profiles), so none left is fine."""
    ids, customer = rows.customer_ids, rows.customer
    resolution = store.identity.resolution()
    if resolution.absorbed:  # one vectorised remap of customer indexes to profile indexes
        profiles = resolution.resolve(ids).astype(str)
        unique, to_profile = np.unique(profiles, return_inverse=True)
        ids, customer = unique.astype(object), to_profile.reshape(-1)[customer]
    # an objection to analytics: the profile has no purchase day, so it is neither fitted,
    # scored nor counted in a segment
    purchase_day = (rows.purchase_lines > 0) & ~objected_mask(store, ids)[customer]
    if not part and not purchase_day.any():
        raise InputError("every customer with purchases objected to analytics: nobody to value")
    summary = summarize_customer_days(
        customer,
        rows.day,
        rows.purchased + rows.returned,
        as_of=as_of,
        purchase_day=purchase_day,
        n_customers=int(ids.shape[0]),
    )
    return ids, summary


def current_summary(store: Store, *, ids: bool = True) -> tuple[Ids, CustomerSummary]:
    """The summary as of the latest stored day, from ``customer_summaries``; customers in an
    active merge are summarised again from their days, as one per profile.

    The ids are the store's Arrow column when nobody is merged or objected, else a numpy
    array. Without ``ids``, neither ids nor net revenue are read unless there are merges or
    objections: the ids returned are then empty.
    """
    merges = bool(store.identity.resolution().absorbed)
    objected = objected_profiles(store)
    totals = store.value.customer_totals(ids=ids or merges or bool(objected))
    if not np.any(totals.purchase_days > 0):
        raise InputError("no purchases stored (up to the as-of date): import orders first")
    as_of = int(totals.last_activity_day.max())
    summary = summarize_customer_totals(
        totals.first_purchase_day,
        totals.last_purchase_day,
        totals.purchase_days,
        totals.net_revenue,
        totals.repeat_net_revenue,
        as_of=as_of,
    )
    if objected:  # an objection to analytics: neither fitted, scored nor counted in a segment
        kept = ~consent_mask(totals.customer_ids, objected)
        if not np.any(totals.purchase_days[kept] > 0):
            raise InputError("every customer with purchases objected to analytics: nobody to value")
        totals_ids = totals.customer_ids[kept]
        summary = summary.take(kept)
    elif not merges:
        return totals.id_column, summary
    else:
        totals_ids = totals.customer_ids
    if not merges:
        return totals_ids, summary
    rows = store.value.customer_days(merged_only=True)
    every = pa.array(totals_ids, pa.string())
    merged = pc.is_in(every, value_set=pa.array(rows.customer_ids, pa.string()))
    alone = ~np.asarray(merged.to_numpy(zero_copy_only=False), dtype=bool)
    profile_ids, profiles = days_summary(store, rows, as_of, part=True)
    return (
        np.concatenate([totals_ids[alone], profile_ids]),
        summary.take(alone).concat(profiles),
    )


def kept_summary(
    store: Store, settings: Settings, as_of: date | None
) -> tuple[Ids, CustomerSummary]:
    """The summary the last fit kept while the store is unchanged since, else read afresh."""
    kept = value_snapshot.load(settings, store.value.data_version(), as_of)
    return kept if kept is not None else store_summary(store, as_of)


def id_column(ids: Ids, keep: np.ndarray[Any, Any]) -> pa.Array:
    if isinstance(ids, pa.Array):
        return ids if bool(keep.all()) else ids.filter(pa.array(keep))
    return pa.array(ids[keep], type=pa.string())
