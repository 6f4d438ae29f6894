"""Behavioural events: idempotent bulk insert by event_id, linking anonymous ids to customers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, bindparam, text
from sqlalchemy import Engine as SAEngine

from kunde.orders import EVENT_FIELDS
from kunde.store.database import is_sqlite

__all__ = ["EVENT_COLUMNS", "EventRepository"]

EVENT_COLUMNS: tuple[str, ...] = EVENT_FIELDS
"""The fields of a stored event (``properties`` as JSON text)."""

_STAGE = "kunde_stage_events"


def _sql(statement: str) -> Any:
    """``text(statement)`` with ``:now`` bound as a date-time."""
    return text(statement).bindparams(bindparam("now", type_=DateTime()))


class EventRepository:
    """Writes behavioural events.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db
        self._sqlite = is_sqlite(db)

    def ingest(self, rows: Sequence[Mapping[str, Any]], now: datetime) -> int:
        """Store events whose ``event_id`` is new, in one transaction.

        Also makes sure a ``customers`` row exists for every customer id (no personal data),
        and links the ``anonymous_id`` and ``device_id`` of events that carry a customer id to
        that customer (identifier kinds ``anonymous_id`` and ``device_id``). Such links stitch
        anonymous events to the customer; they never merge profiles (``identify`` does).

        Args:
            rows: events with :data:`EVENT_COLUMNS`, distinct event ids.
            now: the receive time.

        Returns:
            How many events were new.
        """
        if not rows:
            return 0
        timestamp = "TEXT" if self._sqlite else "TIMESTAMP"
        types = ", ".join(
            f"{c} {timestamp if c == 'occurred_at' else 'TEXT'}" for c in EVENT_COLUMNS
        )
        columns = ", ".join(EVENT_COLUMNS)
        marks = ", ".join(f":{c}" for c in EVENT_COLUMNS)
        properties = "s.properties" if self._sqlite else "CAST(s.properties AS JSON)"
        params = [{c: row.get(c) for c in EVENT_COLUMNS} for row in rows]
        with self._db.begin() as conn:
            if self._sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ({types})"))
            conn.execute(text(f"DELETE FROM {_STAGE}"))
            conn.execute(
                text(f"INSERT INTO {_STAGE} ({columns}) VALUES ({marks})").bindparams(
                    bindparam("occurred_at", type_=DateTime())
                ),
                params,
            )
            conn.execute(
                text(
                    f"DELETE FROM {_STAGE} WHERE EXISTS "
                    f"(SELECT 1 FROM events e WHERE e.event_id = {_STAGE}.event_id)"
                )
            )
            if not conn.execute(text(f"SELECT 1 FROM {_STAGE} LIMIT 1")).first():
                return 0
            # Another transaction may store the same events meanwhile (PostgreSQL): those
            # conflict and are skipped, so only what this one inserted is counted as new.
            # Rows are written in key order so that concurrent writers never deadlock.
            new = conn.execute(
                _sql(
                    f"INSERT INTO events ({columns}, received_at) SELECT s.event_id, "
                    "s.occurred_at, s.type, s.customer_id, s.anonymous_id, s.touchpoint, "
                    f"s.device_id, s.product_id, {properties}, :now FROM {_STAGE} s "
                    "ORDER BY s.event_id ON CONFLICT (event_id) DO NOTHING"
                ),
                {"now": now},
            ).rowcount
            conn.execute(
                _sql(
                    "INSERT INTO customers (customer_id, created_at, updated_at) "
                    f"SELECT DISTINCT s.customer_id, :now, :now FROM {_STAGE} s "
                    "WHERE s.customer_id IS NOT NULL ORDER BY s.customer_id "
                    "ON CONFLICT (customer_id) DO NOTHING"
                ),
                {"now": now},
            )
            for kind, column in (("anonymous_id", "anonymous_id"), ("device_id", "device_id")):
                conn.execute(
                    _sql(
                        "INSERT INTO identifiers (kind, value, customer_id, created_at) "
                        f"SELECT DISTINCT '{kind}', s.{column}, s.customer_id, :now "
                        f"FROM {_STAGE} s WHERE s.{column} IS NOT NULL AND s.{column} <> '' "
                        f"AND s.customer_id IS NOT NULL ORDER BY 2, 3 "
                        "ON CONFLICT (kind, value, customer_id) DO NOTHING"
                    ),
                    {"now": now},
                )
        return max(0, int(new))
