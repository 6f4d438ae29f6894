"""The :class:`Store` facade."""

from __future__ import annotations

from sqlalchemy import Engine as SAEngine
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from kunde.errors import StoreUnavailableError
from kunde.store.audit import AuditRepository
from kunde.store.consents import ConsentRepository
from kunde.store.customers import CustomerRepository
from kunde.store.database import connect, is_sqlite, migrate, schema_is_current
from kunde.store.events import EventRepository
from kunde.store.identity import IdentityRepository
from kunde.store.keys import KeyRepository
from kunde.store.orders import OrderRepository
from kunde.store.payment_methods import PaymentMethodRepository
from kunde.store.products import ProductRepository
from kunde.store.recommend import RecommendRepository
from kunde.store.rights import RightsRepository
from kunde.store.timeline import TimelineRepository
from kunde.store.tokens import TokenRevocationRepository
from kunde.store.value import ValueRepository

__all__ = ["Store"]


class Store:
    """A database behind kunde's repositories.

    Args:
        url: SQLAlchemy URL (``sqlite:///kunde.db`` or ``postgresql+psycopg://...``).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.db: SAEngine = connect(url)
        self.keys = KeyRepository(self.db)
        self.customers = CustomerRepository(self.db)
        self.orders = OrderRepository(self.db)
        self.products = ProductRepository(self.db)
        self.events = EventRepository(self.db)
        self.consents = ConsentRepository(self.db)
        self.payment_methods = PaymentMethodRepository(self.db)
        self.audit = AuditRepository(self.db)
        self.value = ValueRepository(self.db)
        self.recommend = RecommendRepository(self.db)
        self.identity = IdentityRepository(self.db)
        self.timeline = TimelineRepository(self.db)
        self.rights = RightsRepository(self.db)
        self.tokens = TokenRevocationRepository(self.db)

    @property
    def is_sqlite(self) -> bool:
        """Whether this store is the embedded SQLite database."""
        return is_sqlite(self.db)

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        migrate(self.db)

    def schema_is_current(self) -> bool:
        """Whether the schema is at the newest migration."""
        return schema_is_current(self.db)

    def ping(self) -> None:
        """Check that the database answers.

        Raises:
            StoreUnavailableError: it does not.
        """
        try:
            with self.db.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            raise StoreUnavailableError(f"The database cannot be reached: {exc.orig}") from exc

    def close(self) -> None:
        """Close every pooled connection."""
        self.db.dispose()
