"""Saved payment methods (payment service provider tokens)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy import Engine as SAEngine
from sqlalchemy.exc import IntegrityError

from kunde.errors import ConflictError
from kunde.privacy import PaymentMethod
from kunde.store._transaction import transaction
from kunde.store.tables import payment_methods

__all__ = ["PaymentMethodRepository"]

_t = payment_methods


def _method(row: Any) -> PaymentMethod:
    return PaymentMethod(**row._mapping)


class PaymentMethodRepository:
    """Adds, lists and removes a customer's saved payment methods.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db

    def add(
        self, method: PaymentMethod, conn: Connection | None = None
    ) -> tuple[PaymentMethod, bool]:
        """Save ``method`` unless the customer has the same provider token already.

        Returns:
            The stored method (the earlier one for a known token) and whether it is new.

        Raises:
            ConflictError: another request saved the same token at the same moment.
        """
        known = self._find(method.customer_id, method.provider, method.token, conn)
        if known is not None:
            return known, False
        try:
            with transaction(self._db, conn) as c:
                c.execute(insert(_t).values(**method.__dict__))
        except IntegrityError as exc:  # the same token saved concurrently
            raise ConflictError(
                "This payment method was saved by another request at the same time; retry."
            ) from exc
        return method, True

    def _find(
        self, customer_id: str, provider: str, token: str, conn: Connection | None
    ) -> PaymentMethod | None:
        query = select(_t).where(
            _t.c.customer_id == customer_id, _t.c.provider == provider, _t.c.token == token
        )
        if conn is not None:
            row = conn.execute(query).one_or_none()
        else:
            with self._db.connect() as own:
                row = own.execute(query).one_or_none()
        return None if row is None else _method(row)

    def list(self, customer_id: str) -> list[PaymentMethod]:
        """The customer's saved methods, oldest first."""
        query = (
            select(_t)
            .where(_t.c.customer_id == customer_id)
            .order_by(_t.c.created_at, _t.c.payment_method_id)
        )
        with self._db.connect() as conn:
            return [_method(row) for row in conn.execute(query)]

    def remove(
        self, customer_id: str, payment_method_id: str, conn: Connection | None = None
    ) -> bool:
        """Delete one saved method of the customer; return whether there was one."""
        statement = delete(_t).where(
            _t.c.customer_id == customer_id, _t.c.payment_method_id == payment_method_id
        )
        with transaction(self._db, conn) as c:
            return c.execute(statement).rowcount > 0
