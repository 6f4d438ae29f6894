"""A profile's timeline: events (stitched anonymous ones included), orders and consent entries.

Every source is read newest first by ``(time, key)`` with a keyset condition, so a page costs
about ``limit + 1`` rows per source however long the history is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    exists,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy import Engine as SAEngine

from kunde.identity import IdentifierKind, TimelineCursor
from kunde.store.tables import consent_entries, events, identifiers, order_lines, orders

__all__ = ["TimelineFilter", "TimelineRepository"]

_KEY_DIGITS = 20  # consent entry ids as zero-padded text sort like numbers

Branch = Callable[[Any, list[str]], ColumnElement[bool]]
"""One way a row belongs to a profile: ``branch(columns, members)`` is the condition."""


@dataclass(frozen=True)
class TimelineFilter:
    """Which items a timeline page holds."""

    touchpoint: str | None = None
    """Only items of this touchpoint (event touchpoint, order channel, consent source)."""
    since: datetime | None = None
    """Only items at or after this time (naive UTC)."""
    until: datetime | None = None
    """Only items before this time (naive UTC)."""


def _linked(kind: IdentifierKind, members: list[str]) -> Any:
    return select(identifiers.c.value).where(
        identifiers.c.kind == kind.value, identifiers.c.customer_id.in_(members)
    )


def _anonymous(columns: Any) -> ColumnElement[bool]:
    # Not ``customer_id IS NULL``: that would tempt SQLite into the customer id index and a
    # scan of every anonymous row, where the anonymous id (or device, order) index finds a few.
    return func.coalesce(columns.customer_id, "") == ""


def _own(c: Any, members: list[str]) -> ColumnElement[bool]:
    return c.customer_id.in_(members)  # type: ignore[no-any-return]


def _under(kind: IdentifierKind, column: str) -> Branch:
    """Anonymous rows whose ``column`` holds a value of ``kind`` linked to the profile."""

    def branch(c: Any, members: list[str]) -> ColumnElement[bool]:
        return and_(_anonymous(c), c[column].in_(_linked(kind, members)))

    return branch


@dataclass(frozen=True)
class _Source:
    """One kind of timeline item and where it is stored."""

    name: str
    table: Table
    key: str
    at: str
    touchpoint: str
    columns: tuple[str, ...]
    branches: tuple[Branch, ...]


_SOURCES = (
    _Source(
        "event",
        events,
        "event_id",
        "occurred_at",
        "touchpoint",
        ("type", "customer_id", "anonymous_id", "device_id", "product_id", "properties"),
        # its own events, and anonymous ones under a linked anonymous id or device
        (
            _own,
            _under(IdentifierKind.ANONYMOUS_ID, "anonymous_id"),
            _under(IdentifierKind.DEVICE_ID, "device_id"),
        ),
    ),
    _Source(
        "order",
        orders,
        "order_id",
        "ordered_at",
        "channel",
        ("customer_id", "store_id", "currency"),
        # its own orders, and anonymous ones claimed at checkout (an ``order_id`` identifier)
        (_own, _under(IdentifierKind.ORDER_ID, "order_id")),
    ),
    _Source(
        "consent",
        consent_entries,
        "entry_id",
        "recorded_at",
        "source",
        ("customer_id", "purpose", "granted", "policy_version"),
        (_own,),
    ),
)


class TimelineRepository:
    """Reads the items of a profile's timeline.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db

    def page(
        self,
        members: Sequence[str],
        filters: TimelineFilter,
        cursor: TimelineCursor | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Up to ``limit + 1`` items after ``cursor``, newest first.

        Each item is ``{source, key, at, touchpoint, stitched, customer_id, ...}`` with the
        source's own fields; orders carry their ``lines``.
        """
        ids = list(members)
        items: list[dict[str, Any]] = []
        with self._db.connect() as conn:
            for source in _SOURCES:
                items += _read(conn, source, ids, filters, cursor, limit)
            placed = [i for i in items if i["source"] == "order"]
            lines = _lines(conn, [i["key"] for i in placed])
        for item in placed:
            item["lines"] = lines.get(item["key"], [])
        items.sort(key=lambda i: (i["at"], i["source"], i["key"]), reverse=True)
        return items[: limit + 1]

    def purchase_times(self, members: Sequence[str]) -> list[datetime]:
        """When the profile's purchases were made: orders with at least one bought line."""
        o, lines = orders.c, order_lines.c
        bought = exists().where(lines.order_id == o.order_id, lines.quantity > 0)
        query = select(o.ordered_at).where(
            _one_of(_SOURCES[1], list(members), lambda query, _columns: query), bought
        )
        with self._db.connect() as conn:
            return [row[0] for row in conn.execute(query)]


def _read(
    conn: Connection,
    source: _Source,
    members: list[str],
    filters: TimelineFilter,
    cursor: TimelineCursor | None,
    limit: int,
) -> list[dict[str, Any]]:
    """One source's first ``limit + 1`` items after ``cursor``, as timeline items."""

    def page(query: Any, columns: Any) -> Any:
        return _window(query, source, columns, filters, cursor).limit(limit + 1)

    c = source.table.c
    query = select(
        c[source.key].label("key"),
        c[source.at].label("at"),
        c[source.touchpoint].label("touchpoint"),
        *(c[name] for name in source.columns),
    ).where(_one_of(source, members, page))
    items = []
    for row in conn.execute(page(query, c)):
        item = dict(row._mapping)
        item["source"] = source.name
        item["stitched"] = not item["customer_id"]
        if source.name == "consent":
            item["entry_id"] = item["key"]
            item["key"] = f"{item['key']:0{_KEY_DIGITS}d}"
        items.append(item)
    return items


def _lines(conn: Connection, order_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The lines of each order, in line key order."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not order_ids:
        return found
    ol = order_lines.c
    query = (
        select(
            ol.order_id,
            ol.product_id,
            ol.quantity,
            ol.unit_price,
            ol.amount,
            ol.kind,
            ol.is_gift,
            ol.returned_quantity,
        )
        .where(ol.order_id.in_(order_ids))
        .order_by(ol.order_id, ol.line_key)
    )
    for row in conn.execute(query):
        line = dict(row._mapping)
        found.setdefault(line.pop("order_id"), []).append(line)
    return found


def _one_of(
    source: _Source, members: list[str], shape: Callable[[Any, Any], Any]
) -> ColumnElement[bool]:
    """``key IN (branch 1 UNION ALL branch 2 ...)``, each branch cut by ``shape``.

    One ``OR`` over the branches would keep PostgreSQL from using each branch's index
    (customer id, anonymous id, device id); the union reads each through its own index, and
    ``shape`` cuts each to a page before they meet.
    """
    parts = []
    for i, branch in enumerate(source.branches):
        columns = _alias(source.table, i).c
        query = shape(select(columns[source.key]).where(branch(columns, members)), columns)
        parts.append(select(query.subquery().c[source.key]))
    return source.table.c[source.key].in_(union_all(*parts))


@functools.cache
def _alias(table: Table, branch: int) -> Any:
    """The alias a branch reads ``table`` through (made once: building one is not cheap)."""
    return table.alias(f"{table.name}_{branch}")


def _window(
    query: Any,
    source: _Source,
    columns: Any,
    filters: TimelineFilter,
    cursor: TimelineCursor | None,
) -> Any:
    """Filters, keyset condition after ``cursor`` and newest-first order for one source."""
    at, key = columns[source.at], columns[source.key]
    if filters.touchpoint is not None:
        query = query.where(columns[source.touchpoint] == filters.touchpoint)
    if filters.since is not None:
        query = query.where(at >= filters.since)
    if filters.until is not None:
        query = query.where(at < filters.until)
    if cursor is not None:
        if source.name < cursor.source:
            query = query.where(at <= cursor.at)
        elif source.name > cursor.source:
            query = query.where(at < cursor.at)
        else:
            after = int(cursor.key) if source.name == "consent" else cursor.key
            query = query.where(or_(at < cursor.at, and_(at == cursor.at, key < after)))
    return query.order_by(at.desc(), key.desc())
