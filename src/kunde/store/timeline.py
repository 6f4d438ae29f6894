"""A profile's timeline: events (stitched anonymous ones included), orders and consent entries.

Every source is read newest first by ``(time, key)`` with a keyset condition, so a page costs
about ``limit + 1`` rows per source however long the history is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, exists, or_, select, union_all
from sqlalchemy import Engine as SAEngine

from kunde.identity import IdentifierKind, TimelineCursor
from kunde.store.tables import consent_entries, events, identifiers, order_lines, orders

__all__ = ["TimelineFilter", "TimelineRepository"]

_KEY_DIGITS = 20  # consent entry ids as zero-padded text sort like numbers

Branches = Callable[[Any, list[str]], list[ColumnElement[bool]]]


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


def _event_branches(e: Any, members: list[str]) -> list[ColumnElement[bool]]:
    """A profile's events: its own, and anonymous ones under an id or device linked to it."""
    anonymous = e.customer_id.is_(None)
    return [
        e.customer_id.in_(members),
        and_(anonymous, e.anonymous_id.in_(_linked(IdentifierKind.ANONYMOUS_ID, members))),
        and_(anonymous, e.device_id.in_(_linked(IdentifierKind.DEVICE_ID, members))),
    ]


def _order_branches(o: Any, members: list[str]) -> list[ColumnElement[bool]]:
    """A profile's orders: its own, and anonymous ones claimed at checkout (``order_id``)."""
    anonymous = or_(o.customer_id.is_(None), o.customer_id == "")
    return [
        o.customer_id.in_(members),
        and_(anonymous, o.order_id.in_(_linked(IdentifierKind.ORDER_ID, members))),
    ]


def _consent_branches(c: Any, members: list[str]) -> list[ColumnElement[bool]]:
    return [c.customer_id.in_(members)]


@dataclass(frozen=True)
class _Source:
    """One kind of timeline item and where it is stored."""

    name: str
    table: Table
    key: str
    at: str
    touchpoint: str
    columns: tuple[str, ...]
    branches: Branches


_SOURCES = (
    _Source(
        "event",
        events,
        "event_id",
        "occurred_at",
        "touchpoint",
        ("type", "customer_id", "anonymous_id", "device_id", "product_id", "properties"),
        _event_branches,
    ),
    _Source(
        "order",
        orders,
        "order_id",
        "ordered_at",
        "channel",
        ("customer_id", "store_id", "currency"),
        _order_branches,
    ),
    _Source(
        "consent",
        consent_entries,
        "entry_id",
        "recorded_at",
        "source",
        ("customer_id", "purpose", "granted", "policy_version"),
        _consent_branches,
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
    for pick in range(len(source.branches(source.table.c, members))):
        alias = source.table.alias()
        branch = source.branches(alias.c, members)[pick]
        query = shape(select(alias.c[source.key]).where(branch), alias.c)
        parts.append(select(query.subquery().c[source.key]))
    return source.table.c[source.key].in_(union_all(*parts))


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
