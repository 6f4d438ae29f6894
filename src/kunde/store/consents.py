"""The consent ledger: append-only, one row per grant or withdrawal.

The repository has no way to change or delete an entry; the current state is read as the
latest entry per purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, func, insert, select
from sqlalchemy import Engine as SAEngine

from kunde.privacy import ConsentChange, ConsentEntry, Purpose
from kunde.store._transaction import transaction
from kunde.store.tables import consent_entries
from kunde.store.value import BUMP_CUSTOMER_DAYS_VERSION

__all__ = ["ConsentRepository"]

_t = consent_entries


def _row(
    customer_id: str, change: ConsentChange, recorded_at: datetime, recorded_by: str
) -> dict[str, Any]:
    """One ledger row to insert."""
    return {
        "customer_id": customer_id,
        "purpose": change.purpose.value,
        "granted": change.granted,
        "policy_version": change.policy_version,
        "source": change.source,
        "recorded_at": recorded_at,
        "recorded_by": recorded_by,
    }


def _bump_if_analytics(conn: Connection, purposes: Sequence[str]) -> None:
    """Value scores leave out customers who objected to ``analytics``: an entry of that purpose
    makes the cached scores stale (bumped in the entry's transaction)."""
    if Purpose.ANALYTICS.value in purposes:
        conn.exec_driver_sql(BUMP_CUSTOMER_DAYS_VERSION)


def _entry(row: Any) -> ConsentEntry:
    return ConsentEntry(
        entry_id=row.entry_id,
        customer_id=row.customer_id,
        purpose=Purpose(row.purpose),
        granted=bool(row.granted),
        policy_version=row.policy_version,
        source=row.source,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
    )


class ConsentRepository:
    """Appends to and reads the consent ledger.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db

    def append(
        self,
        customer_id: str,
        changes: Sequence[ConsentChange],
        *,
        recorded_at: datetime,
        recorded_by: str,
        conn: Connection | None = None,
    ) -> list[ConsentEntry]:
        """Append one entry per change, in the given order; return the stored entries."""
        if not changes:
            return []
        rows = [_row(customer_id, change, recorded_at, recorded_by) for change in changes]
        statement = insert(_t).returning(*_t.c, sort_by_parameter_order=True)
        with transaction(self._db, conn) as c:
            entries = [_entry(row) for row in c.execute(statement, rows)]
            _bump_if_analytics(c, [row["purpose"] for row in rows])
        return entries

    def seed(
        self,
        entries: Sequence[tuple[str, ConsentChange]],
        *,
        recorded_at: datetime,
        recorded_by: str,
    ) -> int:
        """Append starting entries for customers whose ledger is still empty (the demo shop's
        consents: a rerun adds nothing); return how many entries were appended."""
        ids = sorted({customer_id for customer_id, _ in entries})
        if not ids:
            return 0
        with transaction(self._db, None) as c:
            known: set[str] = set(
                c.execute(select(_t.c.customer_id).where(_t.c.customer_id.in_(ids)).distinct())
                .scalars()
                .all()
            )
            rows = [
                _row(customer_id, change, recorded_at, recorded_by)
                for customer_id, change in entries
                if customer_id not in known
            ]
            if rows:
                c.execute(insert(_t), rows)
                _bump_if_analytics(c, [row["purpose"] for row in rows])
        return len(rows)

    def history(self, customer_id: str) -> list[ConsentEntry]:
        """Every entry of one customer, oldest first."""
        query = select(_t).where(_t.c.customer_id == customer_id).order_by(_t.c.entry_id)
        with self._db.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def ledger(self, customer_ids: Sequence[str]) -> list[ConsentEntry]:
        """Every entry of several customer ids (one person's merged ids), in the ledger's order."""
        query = (
            select(_t)
            .where(_t.c.customer_id.in_(sorted(set(customer_ids))))
            .order_by(_t.c.entry_id)
        )
        with self._db.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def has_entries(self, customer_id: str) -> bool:
        """Whether the ledger holds anything about ``customer_id``."""
        query = select(_t.c.entry_id).where(_t.c.customer_id == customer_id).limit(1)
        with self._db.connect() as conn:
            return conn.execute(query).first() is not None

    def is_granted(self, customer_id: str, purpose: Purpose) -> bool:
        """Whether the latest entry of ``purpose`` grants it (``False`` without entries)."""
        query = (
            select(_t.c.granted)
            .where(_t.c.customer_id == customer_id, _t.c.purpose == purpose.value)
            .order_by(_t.c.entry_id.desc())
            .limit(1)
        )
        with self._db.connect() as conn:
            granted = conn.execute(query).scalar_one_or_none()
        return bool(granted)

    def granted_customers(self, purpose: Purpose) -> set[str]:
        """Every customer whose latest entry of ``purpose`` grants it (one set-based query)."""
        return {c for c, granted in self.latest_states(purpose).items() if granted}

    def latest_states(self, purpose: Purpose) -> dict[str, bool]:
        """Every customer with an entry of ``purpose``: whether their latest one grants it."""
        latest = (
            select(_t.c.customer_id, func.max(_t.c.entry_id).label("entry_id"))
            .where(_t.c.purpose == purpose.value)
            .group_by(_t.c.customer_id)
            .subquery()
        )
        query = select(_t.c.customer_id, _t.c.granted).join(
            latest, _t.c.entry_id == latest.c.entry_id
        )
        with self._db.connect() as conn:
            return {str(r[0]): bool(r[1]) for r in conn.execute(query)}

    def latest(
        self, purpose: Purpose, customer_ids: Sequence[str] | None = None
    ) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """The latest entry of ``purpose`` per customer (all, or only ``customer_ids``), as
        aligned arrays ``(customer_ids, entry_ids, granted)`` (one set-based query).

        The entry id orders the whole ledger, so the latest will of a person with several ids is
        the row with the highest entry id among theirs.
        """
        where = [_t.c.purpose == purpose.value]
        if customer_ids is not None:
            where.append(_t.c.customer_id.in_(sorted(set(customer_ids))))
        latest = (
            select(func.max(_t.c.entry_id).label("entry_id"))
            .where(*where)
            .group_by(_t.c.customer_id)
            .subquery()
        )
        query = select(_t.c.customer_id, _t.c.entry_id, _t.c.granted).join(
            latest, _t.c.entry_id == latest.c.entry_id
        )
        with self._db.connect() as conn:
            rows = conn.execute(query).all()
        return (
            np.array([r[0] for r in rows], dtype=object),
            np.array([r[1] for r in rows], dtype=np.int64),
            np.array([bool(r[2]) for r in rows], dtype=np.bool_),
        )
