"""Revoked customer tokens.

A customer token is a signed statement that cannot be taken back, so revocation is a row here:
either every token of a customer issued up to ``revoked_at`` (``token_id`` NULL) or one token
(its ``jti``). Verifying a token asks :meth:`TokenRevocationRepository.is_revoked` (one
indexed query). Rows name the customer, so an erasure deletes them with the rest; the
erasure register refuses the erased person's tokens afterwards.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, delete, insert, or_, select
from sqlalchemy import Engine as SAEngine

from kunde.store._transaction import transaction
from kunde.store.tables import token_revocations

__all__ = ["TokenRevocationRepository"]

_t = token_revocations


class TokenRevocationRepository:
    """Records and checks revoked customer tokens.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db

    def revoke_all(self, customer_id: str, at: datetime, conn: Connection | None = None) -> None:
        """Revoke every token of ``customer_id`` issued up to ``at``."""
        with transaction(self._db, conn) as c:
            c.execute(insert(_t).values(customer_id=customer_id, token_id=None, revoked_at=at))

    def revoke_one(
        self,
        customer_id: str,
        token_id: str,
        expires_at: datetime,
        at: datetime,
        conn: Connection | None = None,
    ) -> None:
        """Revoke one token (a session); rows of single tokens that expired anyway go."""
        with transaction(self._db, conn) as c:
            c.execute(delete(_t).where(_t.c.token_id.is_not(None), _t.c.expires_at < at))
            c.execute(
                insert(_t).values(
                    customer_id=customer_id, token_id=token_id, revoked_at=at, expires_at=expires_at
                )
            )

    def is_revoked(self, customer_id: str, token_id: str, issued_at: datetime) -> bool:
        """Whether token ``token_id`` of ``customer_id``, issued at ``issued_at``, is revoked."""
        query = (
            select(1)
            .select_from(_t)
            .where(
                _t.c.customer_id == customer_id,
                or_(
                    _t.c.token_id == token_id,
                    and_(_t.c.token_id.is_(None), _t.c.revoked_at >= issued_at),
                ),
            )
            .limit(1)
        )
        with self._db.connect() as conn:
            return conn.execute(query).first() is not None
