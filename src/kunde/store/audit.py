"""The audit trail: append-only, newest entries read first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy import Engine as SAEngine

from kunde.privacy import AuditEntry
from kunde.store._transaction import transaction
from kunde.store.tables import audit_entries

__all__ = ["AuditRepository"]

_t = audit_entries


def _entry(row: Any) -> AuditEntry:
    values = dict(row._mapping)
    values["details"] = values["details"] or {}
    return AuditEntry(**values)


class AuditRepository:
    """Appends to and reads the audit trail; there is no way to change or delete an entry.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db

    def append(self, entries: Sequence[AuditEntry], conn: Connection | None = None) -> None:
        """Append entries (their ``entry_id`` is assigned by the database)."""
        if not entries:
            return
        rows = [
            {
                "at": e.at,
                "actor_key_id": e.actor_key_id,
                "actor_role": e.actor_role,
                "action": e.action,
                "customer_id": e.customer_id,
                "request_id": e.request_id,
                "reason": e.reason,
                "details": e.details or None,
            }
            for e in entries
        ]
        with transaction(self._db, conn) as c:
            c.execute(insert(_t), rows)

    def page(
        self,
        *,
        customer_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Entries newest first, filtered; ``before`` continues after the previous page.

        Args:
            customer_id: only entries about this customer.
            since: only entries at or after this time.
            until: only entries before this time.
            before: only entries with a smaller ``entry_id`` (the last one of the previous page).
            limit: at most this many entries.
        """
        query = select(_t).order_by(_t.c.entry_id.desc()).limit(limit)
        if customer_id is not None:
            query = query.where(_t.c.customer_id == customer_id)
        if since is not None:
            query = query.where(_t.c.at >= since)
        if until is not None:
            query = query.where(_t.c.at < until)
        if before is not None:
            query = query.where(_t.c.entry_id < before)
        with self._db.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]
