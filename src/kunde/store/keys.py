"""API keys: only a SHA-256 hash of each key is stored, never the key itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine as SAEngine
from sqlalchemy import insert, select, update

from kunde.store.tables import api_keys

__all__ = ["KeyRecord", "KeyRepository"]


@dataclass(frozen=True)
class KeyRecord:
    """A stored API key (without the key)."""

    key_id: int
    prefix: str
    role: str
    name: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


_RECORD = select(
    api_keys.c.key_id,
    api_keys.c.prefix,
    api_keys.c.role,
    api_keys.c.name,
    api_keys.c.created_at,
    api_keys.c.revoked_at,
    api_keys.c.last_used_at,
)


class KeyRepository:
    """Stores and finds API keys by their hash.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db

    def insert(
        self, *, prefix: str, key_hash: str, role: str, name: str | None, created_at: datetime
    ) -> int:
        """Store a new key's hash and return its ``key_id``."""
        with self._db.begin() as conn:
            result = conn.execute(
                insert(api_keys)
                .values(
                    prefix=prefix,
                    key_hash=key_hash,
                    role=role,
                    name=name,
                    created_at=created_at,
                )
                .returning(api_keys.c.key_id)
            )
            return int(result.scalar_one())

    def find_by_hash(self, key_hash: str) -> KeyRecord | None:
        """The key with this hash, revoked or not; ``None`` if there is none."""
        with self._db.connect() as conn:
            row = conn.execute(_RECORD.where(api_keys.c.key_hash == key_hash)).one_or_none()
        return None if row is None else KeyRecord(**row._mapping)

    def all(self) -> list[KeyRecord]:
        """Every key, revoked ones included, oldest first."""
        with self._db.connect() as conn:
            rows = conn.execute(_RECORD.order_by(api_keys.c.key_id)).all()
        return [KeyRecord(**row._mapping) for row in rows]

    def revoke(self, key_id: int, at: datetime) -> bool:
        """Mark a key revoked (once); return whether a key with this id exists."""
        with self._db.begin() as conn:
            found = conn.execute(
                select(api_keys.c.key_id).where(api_keys.c.key_id == key_id)
            ).one_or_none()
            conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
        return found is not None

    def touch(self, key_id: int, at: datetime) -> None:
        """Record that the key was used at ``at``.

        Waits at most ~0.2 s for a lock (e.g. while an import holds SQLite's write lock) and
        then raises ``OperationalError``: the timestamp is not worth stalling a request for.
        """
        statement = update(api_keys).where(api_keys.c.key_id == key_id).values(last_used_at=at)
        with self._db.begin() as conn:
            if self._db.dialect.name != "sqlite":
                conn.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
                conn.execute(statement)
                return
            previous: int = conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
            conn.exec_driver_sql("PRAGMA busy_timeout = 200")
            try:
                conn.execute(statement)
            finally:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(previous)}")
