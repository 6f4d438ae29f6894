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
    DateTime,
    Integer,
    String,
    Table,
    and_,
    bindparam,
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

Branch = Callable[[Any, Any], ColumnElement[bool]]
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


def _linked(kind: IdentifierKind, members: Any) -> Any:
    return select(identifiers.c.value).where(
        identifiers.c.kind == kind.value, identifiers.c.customer_id.in_(members)
    )


def _anonymous(columns: Any) -> ColumnElement[bool]:
    # Not ``customer_id IS NULL``: that would tempt SQLite into the customer id index and a
    # scan of every anonymous row, where the anonymous id (or device, order) index finds a few.
    return func.coalesce(columns.customer_id, "") == ""


def _own(c: Any, members: Any) -> ColumnElement[bool]:
    return c.customer_id.in_(members)  # type: ignore[no-any-return]


def _under(kind: IdentifierKind, column: str) -> Branch:
    """Anonymous rows whose ``column`` holds a value of ``kind`` linked to the profile."""

    def branch(c: Any, members: Any) -> ColumnElement[bool]:
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
        with self._db.connect() as conn:
            return list(conn.execute(_purchases(), {"members": list(members)}).scalars())


@functools.cache
def _purchases() -> Any:
    o, lines = orders.c, order_lines.c
    bought = exists().where(lines.order_id == o.order_id, lines.quantity > 0)
    return select(o.ordered_at).where(_one_of(_SOURCES[1], lambda query, _columns: query), bought)


@dataclass(frozen=True)
class _Shape:
    """What a page query filters on; one statement is built (and cached) per shape."""

    touchpoint: bool
    since: bool
    until: bool
    relation: str | None
    """How the source sorts against the cursor's: ``<``, ``=``, ``>`` or none (first page)."""


def _read(
    conn: Connection,
    source: _Source,
    members: list[str],
    filters: TimelineFilter,
    cursor: TimelineCursor | None,
    limit: int,
) -> list[dict[str, Any]]:
    """One source's first ``limit + 1`` items after ``cursor``, as timeline items."""
    relation = None
    params: dict[str, Any] = {"members": members, "limit": limit + 1}
    if cursor is not None:
        relation = (
            "<" if source.name < cursor.source else ">" if source.name > cursor.source else "="
        )
        params["cursor_at"] = cursor.at
        if relation == "=":
            params["cursor_key"] = int(cursor.key) if source.name == "consent" else cursor.key
    params |= {"touchpoint": filters.touchpoint, "since": filters.since, "until": filters.until}
    shape = _Shape(
        filters.touchpoint is not None,
        filters.since is not None,
        filters.until is not None,
        relation,
    )
    items = []
    for row in conn.execute(_page_statement(source, shape), params):
        item = dict(row._mapping)
        item["source"] = source.name
        item["stitched"] = not item["customer_id"]
        if source.name == "consent":
            item["entry_id"] = item["key"]
            item["key"] = f"{item['key']:0{_KEY_DIGITS}d}"
        items.append(item)
    return items


@functools.cache
def _page_statement(source: _Source, shape: _Shape) -> Any:
    """A page of ``source`` for queries of ``shape``, with bound parameters ``members``,
    ``limit``, ``touchpoint``, ``since``, ``until``, ``cursor_at`` and ``cursor_key``."""

    def page(query: Any, columns: Any) -> Any:
        return _window(query, source, columns, shape).limit(bindparam("limit", type_=Integer))

    c = source.table.c
    query = select(
        c[source.key].label("key"),
        c[source.at].label("at"),
        c[source.touchpoint].label("touchpoint"),
        *(c[name] for name in source.columns),
    ).where(_one_of(source, page))
    return page(query, c)


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


def _one_of(source: _Source, shape: Callable[[Any, Any], Any]) -> ColumnElement[bool]:
    """``key IN (branch 1 UNION ALL branch 2 ...)``, each branch cut by ``shape``.

    One ``OR`` over the branches would keep PostgreSQL from using each branch's index
    (customer id, anonymous id, device id); the union reads each through its own index, and
    ``shape`` cuts each to a page before they meet. The profile's customer ids are the
    expanding parameter ``members``.
    """
    members: Any = bindparam("members", expanding=True)
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


def _window(query: Any, source: _Source, columns: Any, shape: _Shape) -> Any:
    """Filters, keyset condition after the cursor and newest-first order for one source."""
    at, key = columns[source.at], columns[source.key]
    if shape.touchpoint:
        query = query.where(columns[source.touchpoint] == bindparam("touchpoint", type_=String))
    if shape.since:
        query = query.where(at >= bindparam("since", type_=DateTime))
    if shape.until:
        query = query.where(at < bindparam("until", type_=DateTime))
    if shape.relation is not None:
        cursor_at = bindparam("cursor_at", type_=DateTime)
        if shape.relation == "<":
            query = query.where(at <= cursor_at)
        elif shape.relation == ">":
            query = query.where(at < cursor_at)
        else:
            after = bindparam("cursor_key", type_=Integer if source.name == "consent" else String)
            query = query.where(or_(at < cursor_at, and_(at == cursor_at, key < after)))
    return query.order_by(at.desc(), key.desc())
