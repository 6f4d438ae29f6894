"""Customer profiles and the identifiers linked to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine as SAEngine
from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite

from kunde.identity import CustomerProfile
from kunde.store.tables import customers, identifiers

__all__ = ["PROFILE_FIELDS", "CustomerRepository"]

PROFILE_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "salutation",
    "title",
    "language",
    "formality",
    "email",
    "phone",
    "country",
    "addresses",
    "channels",
)
"""The profile columns a posted :class:`CustomerProfile` replaces."""

# 14 bound parameters per row; 1,000 rows stay far below SQLite's and psycopg's limits.
_CHUNK = 1_000


class CustomerRepository:
    """Reads and writes customer profiles.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db

    def get(self, customer_id: str) -> dict[str, Any] | None:
        """The stored profile (every column of ``customers``), or ``None`` if there is none."""
        with self._db.connect() as conn:
            row = conn.execute(
                select(customers).where(customers.c.customer_id == customer_id)
            ).one_or_none()
        if row is None:
            return None
        profile = dict(row._mapping)
        profile["addresses"] = profile["addresses"] or []
        profile["channels"] = profile["channels"] or {}
        return profile

    def identifiers(self, customer_id: str) -> list[dict[str, Any]]:
        """The customer's identifiers, oldest first, as ``{kind, value, created_at}`` dicts."""
        query = (
            select(identifiers.c.kind, identifiers.c.value, identifiers.c.created_at)
            .where(identifiers.c.customer_id == customer_id)
            .order_by(identifiers.c.created_at, identifiers.c.kind, identifiers.c.value)
        )
        with self._db.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def upsert(self, profiles: Sequence[CustomerProfile], at: datetime) -> int:
        """Create or replace profiles in bulk; return how many distinct customers were written.

        A profile posted again replaces every profile field (fields it leaves out become empty);
        ``created_at`` is kept. When one customer appears several times, the last one wins.
        """
        latest: dict[str, dict[str, Any]] = {}
        for profile in profiles:
            row = profile.model_dump(mode="json")
            row["created_at"] = at
            row["updated_at"] = at
            latest[profile.customer_id] = row
        rows = list(latest.values())
        with self._db.begin() as conn:
            for start in range(0, len(rows), _CHUNK):
                conn.execute(self._upsert_statement(), rows[start : start + _CHUNK])
        return len(rows)

    def _upsert_statement(self) -> Insert:
        columns = (*PROFILE_FIELDS, "updated_at")
        if self._db.dialect.name == "postgresql":
            pg = postgresql.insert(customers)
            return pg.on_conflict_do_update(
                index_elements=["customer_id"], set_={c: pg.excluded[c] for c in columns}
            )
        lite = sqlite.insert(customers)
        return lite.on_conflict_do_update(
            index_elements=["customer_id"], set_={c: lite.excluded[c] for c in columns}
        )
