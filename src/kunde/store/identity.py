"""The identity graph: identifier links and customer merges.

Merges are never deleted: an unmerge sets ``undone_at``. Every table here is keyed by
``customer_id`` (``customer_merges`` also by ``absorbed_customer_id``), so that erasure can
find a person's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy import Engine as SAEngine
from sqlalchemy.dialects import postgresql, sqlite

from kunde.identity import Identifier, IdentifierKind, Merge, Resolution
from kunde.store._transaction import transaction
from kunde.store.database import is_sqlite
from kunde.store.tables import customer_days, customer_merges, customers, identifiers, orders

__all__ = ["IdentityRepository"]

_m = customer_merges
_CHUNK = 1_000


class IdentityRepository:
    """Reads and writes identifier links and merges.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db
        self._sqlite = is_sqlite(db)

    def lock(self, conn: Connection) -> None:
        """Serialise identity changes for the rest of ``conn``'s transaction (call it first).

        Merges must be planned on the state they change: two concurrent merges of the same
        profile would otherwise both be made. SQLite's writer lock does this for every table;
        on PostgreSQL the merges table is locked against other writers (readers go on).
        """
        if self._sqlite:  # must be the transaction's first statement
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("LOCK TABLE customer_merges IN SHARE ROW EXCLUSIVE MODE")

    # --- resolution -------------------------------------------------------------------------

    def resolution(self, conn: Connection | None = None) -> Resolution:
        """The current resolution of customer ids to profiles (one query over active merges)."""
        query = select(_m.c.absorbed_customer_id, _m.c.customer_id).where(_m.c.undone_at.is_(None))
        with transaction(self._db, conn) as c:
            rows = c.execute(query).all()
        return Resolution([r[0] for r in rows], [r[1] for r in rows])

    def resolution_of(
        self, customer_ids: Iterable[str], conn: Connection | None = None
    ) -> Resolution:
        """The resolution of the profiles ``customer_ids`` belong to, and only of those.

        Two recursive queries: up from the ids to their profiles, then down from the profiles
        to every merge under them. A single customer's profile costs a few index lookups
        however many merges the shop has; use :meth:`resolution` for a whole batch.
        """
        ids = sorted(set(customer_ids))
        if not ids:
            return Resolution([], [])
        active = _m.c.undone_at.is_(None)
        with transaction(self._db, conn) as c:
            up = (
                select(_m.c.customer_id.label("id"))
                .where(active, _m.c.absorbed_customer_id.in_(ids))
                .cte("up", recursive=True)
            )
            up = up.union(
                select(_m.c.customer_id)
                .join(up, _m.c.absorbed_customer_id == up.c.id)
                .where(active)
            )
            starts = sorted({*ids, *c.execute(select(up.c.id)).scalars()})
            down = (
                select(_m.c.absorbed_customer_id.label("id"), _m.c.customer_id.label("parent"))
                .where(active, _m.c.customer_id.in_(starts))
                .cte("down", recursive=True)
            )
            down = down.union(
                select(_m.c.absorbed_customer_id, _m.c.customer_id)
                .join(down, _m.c.customer_id == down.c.id)
                .where(active)
            )
            edges = c.execute(select(down.c.id, down.c.parent)).all()
        return Resolution([e[0] for e in edges], [e[1] for e in edges])

    def undone_pairs(self, customer_ids: Iterable[str], conn: Connection) -> list[tuple[str, str]]:
        """``(survivor, absorbed)`` of every undone merge that involves one of ``customer_ids``."""
        ids = sorted(set(customer_ids))
        pairs: list[tuple[str, str]] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = select(_m.c.customer_id, _m.c.absorbed_customer_id).where(
                _m.c.undone_at.is_not(None),
                (_m.c.customer_id.in_(chunk)) | (_m.c.absorbed_customer_id.in_(chunk)),
            )
            pairs.extend((r[0], r[1]) for r in conn.execute(query))
        return pairs

    # --- links ------------------------------------------------------------------------------

    def links(
        self, wanted: Sequence[Identifier], conn: Connection | None = None
    ) -> dict[Identifier, list[str]]:
        """The customer ids each identifier is linked to (sorted; unlinked ones are left out)."""
        found: dict[Identifier, list[str]] = {}
        if not wanted:
            return found
        values = sorted({i.value for i in wanted})
        kinds = {i.kind.value for i in wanted}
        query = (
            select(identifiers.c.kind, identifiers.c.value, identifiers.c.customer_id)
            .where(identifiers.c.value.in_(values), identifiers.c.kind.in_(kinds))
            .order_by(identifiers.c.customer_id)
        )
        targets = set(wanted)
        with transaction(self._db, conn) as c:
            for row in c.execute(query):
                identifier = Identifier(kind=IdentifierKind(row.kind), value=row.value)
                if identifier in targets:
                    found.setdefault(identifier, []).append(str(row.customer_id))
        return found

    def link(
        self, customer_id: str, new: Sequence[Identifier], at: datetime, conn: Connection
    ) -> None:
        """Make sure ``customer_id`` has a ``customers`` row and link ``new`` to it."""
        dialect = postgresql if not self._sqlite else sqlite
        conn.execute(
            dialect.insert(customers)
            .values(customer_id=customer_id, created_at=at, updated_at=at)
            .on_conflict_do_nothing(index_elements=["customer_id"])
        )
        if new:
            rows = [
                {
                    "kind": i.kind.value,
                    "value": i.value,
                    "customer_id": customer_id,
                    "created_at": at,
                }
                for i in new
            ]
            conn.execute(dialect.insert(identifiers).on_conflict_do_nothing(), rows)

    def identifiers_of(self, customer_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Identifiers linked to any of ``customer_ids``: ``{kind, value, customer_id,
        created_at}``, oldest first."""
        query = (
            select(
                identifiers.c.kind,
                identifiers.c.value,
                identifiers.c.customer_id,
                identifiers.c.created_at,
            )
            .where(identifiers.c.customer_id.in_(list(customer_ids)))
            .order_by(
                identifiers.c.created_at,
                identifiers.c.kind,
                identifiers.c.value,
                identifiers.c.customer_id,
            )
        )
        with self._db.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # --- merges -----------------------------------------------------------------------------

    def add_merges(
        self, merges: Sequence[Merge], reason: str, at: datetime, by: str, conn: Connection
    ) -> list[int]:
        """Record merges (in order); return their ids."""
        ids: list[int] = []
        for merge in merges:
            ids.append(
                conn.execute(
                    insert(_m)
                    .values(
                        customer_id=merge.survivor,
                        absorbed_customer_id=merge.absorbed,
                        reason=reason,
                        identifier_kind=merge.identifier.kind.value,
                        identifier_value=merge.identifier.value,
                        created_at=at,
                        created_by=by,
                    )
                    .returning(_m.c.merge_id)
                ).scalar_one()
            )
        return ids

    def merge(self, merge_id: int, conn: Connection | None = None) -> dict[str, Any] | None:
        """One merge's row, or ``None``."""
        with transaction(self._db, conn) as c:
            row = c.execute(select(_m).where(_m.c.merge_id == merge_id)).one_or_none()
        return dict(row._mapping) if row is not None else None

    def undo(self, merge_id: int, at: datetime, by: str, conn: Connection) -> bool:
        """Mark an active merge undone; ``False`` if it is unknown or already undone."""
        result = conn.execute(
            update(_m)
            .where(_m.c.merge_id == merge_id, _m.c.undone_at.is_(None))
            .values(undone_at=at, undone_by=by)
        )
        return bool(result.rowcount)

    def merges_of(self, customer_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Every merge (active or undone) with a survivor or absorbed id in ``customer_ids``,
        oldest first."""
        ids = list(customer_ids)
        query = (
            select(_m)
            .where(_m.c.customer_id.in_(ids) | _m.c.absorbed_customer_id.in_(ids))
            .order_by(_m.c.merge_id)
        )
        with self._db.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # --- a profile's purchases --------------------------------------------------------------

    def profile_summary(self, customer_ids: Sequence[str]) -> dict[str, Any] | None:
        """The purchase summary of a profile made of ``customer_ids`` (days counted once).

        Same fields as :meth:`kunde.store.orders.OrderRepository.customer_summary`;
        ``None`` when none of them has an order.
        """
        ids = list(customer_ids)
        d = customer_days
        per_day = (
            select(
                d.c.day,
                func.sum(d.c.purchased + d.c.returned).label("net"),
                func.sum(d.c.purchase_lines).label("lines"),
            )
            .where(d.c.customer_id.in_(ids))
            .group_by(d.c.day)
            .subquery()
        )
        bought = per_day.c.lines > 0
        query = select(
            func.min(per_day.c.day).filter(bought),
            func.max(per_day.c.day).filter(bought),
            func.count().filter(bought),
            func.coalesce(func.sum(per_day.c.net), 0.0),
            func.count(),
        )
        with self._db.connect() as conn:
            values: tuple[Any, ...] = tuple(conn.execute(query).one())
            first, last, days, net, rows = values
            count = conn.execute(
                select(func.count()).select_from(orders).where(orders.c.customer_id.in_(ids))
            ).scalar_one()
        if not rows and not count:
            return None
        return {
            "first_purchase_day": first,
            "last_purchase_day": last,
            "purchase_days": int(days or 0),
            "net_revenue": round(float(net), 2),
            "orders": int(count),
        }
