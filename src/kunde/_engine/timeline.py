"""One customer's timeline across touchpoints, with purchase phases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from kunde._engine.privacy import _require_customer
from kunde._time import naive_utc
from kunde.errors import InvalidFieldError
from kunde.identity import PhaseWindows, TimelineCursor, purchase_phases
from kunde.store import Store
from kunde.store.timeline import TimelineFilter

__all__ = ["MAX_TIMELINE_PAGE", "timeline"]

MAX_TIMELINE_PAGE = 500
"""Most items on one timeline page."""


def timeline(
    store: Store,
    customer_id: str,
    *,
    touchpoint: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
    windows: PhaseWindows | None = None,
) -> dict[str, Any]:
    """A page of the customer's profile's timeline, newest first.

    The timeline covers every customer id of the profile (merges followed), the anonymous
    events stitched to them (their anonymous or device ids were linked) and anonymous orders
    claimed at checkout. Items: ``event``, ``order`` (with lines), ``return`` (an order whose
    lines are all returns) and ``consent`` (a ledger entry); each with its ``touchpoint``
    (event touchpoint, order channel, consent source) and ``phase``
    (:func:`kunde.identity.purchase_phases`).

    Raises:
        NotFoundError: unknown customer.
        InvalidFieldError: bad ``cursor``, ``limit`` or time window.
    """
    if not 1 <= limit <= MAX_TIMELINE_PAGE:
        raise InvalidFieldError("limit", f"must be between 1 and {MAX_TIMELINE_PAGE}")
    since, until = _utc("since", since), _utc("until", until)
    if since is not None and until is not None and since >= until:
        raise InvalidFieldError("until", "must be later than since")
    after = None
    if cursor is not None:
        try:
            after = TimelineCursor.decode(cursor)
        except ValueError as exc:
            raise InvalidFieldError("cursor", str(exc)) from None
    _require_customer(store, customer_id)
    members = store.identity.resolution_of([customer_id]).members(customer_id)
    filters = TimelineFilter(touchpoint=touchpoint, since=since, until=until)
    rows = store.timeline.page(members, filters, after, limit)
    page, more = rows[:limit], len(rows) > limit
    purchases = np.array(store.timeline.purchase_times(members), dtype="datetime64[us]")
    times = np.array([row["at"] for row in page], dtype="datetime64[us]")
    phases = purchase_phases(times, purchases, windows)
    items = [_item(row, phase) for row, phase in zip(page, phases, strict=True)]
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = TimelineCursor(last["at"], last["source"], last["key"]).encode()
    return {
        "customer_id": customer_id,
        "profile_id": members[0],
        "customer_ids": members,
        "items": items,
        "next_cursor": next_cursor,
    }


_COMMON = ("source", "key", "at", "touchpoint", "stitched", "customer_id")


def _item(row: dict[str, Any], phase: object) -> dict[str, Any]:
    kind = row["source"]
    if kind == "order" and row["lines"] and all(line["quantity"] < 0 for line in row["lines"]):
        kind = "return"
    details = {k: v for k, v in row.items() if k not in _COMMON}
    if row["source"] == "order":
        details["total"] = round(sum(float(line["amount"]) for line in row["lines"]), 2)
    return {
        "kind": kind,
        "id": str(row["entry_id"]) if row["source"] == "consent" else row["key"],
        "at": row["at"],
        "touchpoint": row["touchpoint"],
        "phase": phase,
        "customer_id": row["customer_id"],
        "stitched": row["stitched"],
        "details": details,
    }


def _utc(name: str, moment: datetime | None) -> datetime | None:
    try:
        return naive_utc(moment) if moment is not None else None
    except ValueError as exc:
        raise InvalidFieldError(name, str(exc)) from None
