"""A profile's timeline: events (stitched anonymous ones included), orders and consent entries.

Every source is read newest first by ``(time, key)`` with a keyset condition, so a page costs
``limit + 1`` rows per source however long the history is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, exists, or_, select, union_all
from sqlalchemy import Engine as SAEngine

from kunde.identity import IdentifierKind, TimelineCursor
from kunde.store.tables import consent_entries, events, identifiers, order_lines, orders

__all__ = ["TimelineFilter", "TimelineRepository"]

_KEY_DIGITS = 20  # consent entry ids as zero-padded text sort like numbers


@dataclass(frozen=True)
class TimelineFilter:
    """Which items a timeline page holds."""

    touchpoint: str | None = None
    """Only items of this touchpoint (event touchpoint, order channel, consent source)."""
    since: datetime | None = None
    """Only items at or after this time (naive UTC)."""
    until: datetime | None = None
    """Only items before this time (naive UTC)."""


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

        Each item is ``{source, key, at, touchpoint, ...}`` with the source's own fields;
        orders carry their ``lines``.
        """
        ids = list(members)
        items: list[dict[str, Any]] = []
        with self._db.connect() as conn:
            e = events.c
            query = select(
                e.event_id,
                e.occurred_at,
                e.type,
                e.customer_id,
                e.anonymous_id,
                e.touchpoint,
                e.device_id,
                e.product_id,
                e.properties,
            )

            def event_page(query: Any, c: Any) -> Any:
                window = _window(
                    query, "event", c.occurred_at, c.event_id, c.touchpoint, filters, cursor
                )
                return window.limit(limit + 1)

            query = query.where(_one_of(events, "event_id", _event_branches, ids, event_page))
            query = _window(
                query, "event", e.occurred_at, e.event_id, e.touchpoint, filters, cursor
            )
            for row in conn.execute(query.limit(limit + 1)):
                item = dict(row._mapping)
                items.append(
                    {
                        "source": "event",
                        "key": item.pop("event_id"),
                        "at": item.pop("occurred_at"),
                        "stitched": item["customer_id"] is None,
                        **item,
                    }
                )
            o = orders.c
            query = select(
                o.order_id, o.ordered_at, o.customer_id, o.channel, o.store_id, o.currency
            )

            def order_page(query: Any, c: Any) -> Any:
                window = _window(
                    query, "order", c.ordered_at, c.order_id, c.channel, filters, cursor
                )
                return window.limit(limit + 1)

            query = query.where(_one_of(orders, "order_id", _order_branches, ids, order_page))
            query = _window(query, "order", o.ordered_at, o.order_id, o.channel, filters, cursor)
            found = [dict(r._mapping) for r in conn.execute(query.limit(limit + 1))]
            lines: dict[str, list[dict[str, Any]]] = {}
            if found:
                ol = order_lines.c
                for row in conn.execute(
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
                    .where(ol.order_id.in_([f["order_id"] for f in found]))
                    .order_by(ol.order_id, ol.line_key)
                ):
                    line = dict(row._mapping)
                    lines.setdefault(line.pop("order_id"), []).append(line)
            for item in found:
                items.append(
                    {
                        "source": "order",
                        "key": item["order_id"],
                        "at": item.pop("ordered_at"),
                        "touchpoint": item["channel"],
                        "stitched": not item["customer_id"],
                        "lines": lines.get(item["order_id"], []),
                        **item,
                    }
                )
            c = consent_entries.c
            query = select(
                c.entry_id,
                c.recorded_at,
                c.customer_id,
                c.purpose,
                c.granted,
                c.policy_version,
                c.source,
            ).where(c.customer_id.in_(ids))
            query = _window(query, "consent", c.recorded_at, c.entry_id, c.source, filters, cursor)
            for row in conn.execute(query.limit(limit + 1)):
                item = dict(row._mapping)
                at, via = item.pop("recorded_at"), item.pop("source")
                items.append(
                    {
                        **item,
                        "source": "consent",
                        "key": f"{item['entry_id']:0{_KEY_DIGITS}d}",
                        "at": at,
                        "touchpoint": via,
                        "stitched": False,
                    }
                )
        items.sort(key=lambda i: (i["at"], i["source"], i["key"]), reverse=True)
        return items[: limit + 1]

    def purchase_times(self, members: Sequence[str]) -> list[datetime]:
        """When the profile's purchases were made: orders with at least one bought line."""
        o, lines = orders.c, order_lines.c
        bought = exists().where(lines.order_id == o.order_id, lines.quantity > 0)
        query = select(o.ordered_at).where(
            _one_of(orders, "order_id", _order_branches, list(members)), bought
        )
        with self._db.connect() as conn:
            return [row[0] for row in conn.execute(query)]


def _linked(kind: IdentifierKind, members: list[str]) -> Any:
    return select(identifiers.c.value).where(
        identifiers.c.kind == kind.value, identifiers.c.customer_id.in_(members)
    )


def _event_branches(e: Any, members: list[str]) -> list[ColumnElement[bool]]:
    """A profile's events: its own, and anonymous ones under an id or device linked to it."""
    return [
        e.customer_id.in_(members),
        and_(
            e.customer_id.is_(None),
            e.anonymous_id.in_(_linked(IdentifierKind.ANONYMOUS_ID, members)),
        ),
        and_(e.customer_id.is_(None), e.device_id.in_(_linked(IdentifierKind.DEVICE_ID, members))),
    ]


def _order_branches(o: Any, members: list[str]) -> list[ColumnElement[bool]]:
    """A profile's orders: its own, and anonymous ones claimed at checkout (``order_id``)."""
    anonymous = or_(o.customer_id.is_(None), o.customer_id == "")
    return [
        o.customer_id.in_(members),
        and_(anonymous, o.order_id.in_(_linked(IdentifierKind.ORDER_ID, members))),
    ]


def _one_of(
    table: Table,
    key: str,
    branches: Callable[[Any, list[str]], list[ColumnElement[bool]]],
    members: list[str],
    shape: Callable[[Any, Any], Any] = lambda query, _columns: query,
) -> ColumnElement[bool]:
    """``table.key IN (branch 1 UNION ALL branch 2 ...)``, each branch shaped by ``shape``.

    One ``OR`` over the branches would keep PostgreSQL from using each branch's index
    (customer id, anonymous id, device id); the union reads each through its own index, and
    ``shape`` can cut each to a page before they meet.
    """
    parts = []
    for i in range(len(branches(table.c, members))):
        alias = table.alias()
        query = shape(select(alias.c[key]).where(branches(alias.c, members)[i]), alias.c)
        parts.append(select(query.subquery().c[key]))
    return table.c[key].in_(union_all(*parts))


def _window(
    query: Any,
    source: str,
    at: Any,
    key: Any,
    touchpoint: Any,
    filters: TimelineFilter,
    cursor: TimelineCursor | None,
) -> Any:
    """Filters, keyset condition after ``cursor`` and newest-first order for one source."""
    if filters.touchpoint is not None:
        query = query.where(touchpoint == filters.touchpoint)
    if filters.since is not None:
        query = query.where(at >= filters.since)
    if filters.until is not None:
        query = query.where(at < filters.until)
    if cursor is not None:
        if source < cursor.source:
            query = query.where(at <= cursor.at)
        elif source > cursor.source:
            query = query.where(at < cursor.at)
        else:
            after = int(cursor.key) if source == "consent" else cursor.key
            query = query.where(or_(at < cursor.at, and_(at == cursor.at, key < after)))
    return query.order_by(at.desc(), key.desc())
