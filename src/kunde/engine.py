"""The :class:`Engine`: the single entry point that the CLI and the API call.

The engine wires the store (persistence) to the pure domain packages. Handlers and commands
never build queries; they call one engine method and render its result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from kunde._engine import access, audit, customers, imports, payloads, privacy
from kunde._engine.access import Permission, Principal
from kunde._engine.erased_guard import refuse_erased
from kunde._engine.identity_facade import IdentityFacade
from kunde._engine.recommend_facade import RecommendFacade
from kunde._engine.rights_facade import RightsFacade
from kunde._engine.value_facade import ValueFacade
from kunde.catalog import ProductIn
from kunde.config import Settings, get_settings
from kunde.errors import StoreUnavailableError
from kunde.identity import CustomerProfile, EventIn
from kunde.orders import ImportSummary, OrderIn, OrdersResult
from kunde.privacy import (
    Actor,
    AuditEntry,
    ConsentChange,
    ConsentEntry,
    ConsentState,
    PaymentMethod,
    PaymentMethodIn,
    Purpose,
)
from kunde.store import Store

__all__ = ["Engine", "Permission", "Principal"]


class Engine(IdentityFacade, RecommendFacade, RightsFacade, ValueFacade):
    """kunde's application core.

    Args:
        settings: settings to use; defaults to :func:`kunde.config.get_settings`.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.store = Store(self.settings.database_url)
        self._keys = access.KeyCache()

    def init(self) -> None:
        """Create or upgrade the database schema and the data directory."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store.migrate()
        self.store.orders.ensure_indexes()  # an import killed during a bulk load drops them

    def close(self) -> None:
        """Release database connections."""
        self.store.close()

    def _refuse_erased(self, customer_id: str) -> None:
        refuse_erased(self.store, self.settings.secret_key, [("customer_id", customer_id)])

    # --- API keys and roles -----------------------------------------------------------------

    def create_key(self, role: str, name: str | None = None) -> str:
        """Create an API key with ``role``; the key is returned once, only its hash is stored.

        Raises:
            InvalidFieldError: unknown role.
        """
        return access.create_key(self.store, role, name)

    def authenticate(self, key: str) -> Principal:
        """The principal (key id and role) behind an API key.

        Raises:
            AuthenticationError: no, unknown or revoked key.
        """
        return access.authenticate(self.store, key, self._keys)

    def cached_principal(self, key: str) -> Principal | None:
        """The principal of a key authenticated in the last seconds, without database I/O.

        ``None`` means "ask :meth:`authenticate`" (unknown to the cache, expired or revoked).
        """
        return access.cached_principal(self._keys, key)

    def revoke_key(self, key_id: int) -> None:
        """Revoke an API key.

        Raises:
            NotFoundError: no key with this id.
        """
        access.revoke_key(self.store, key_id, self._keys)

    def list_keys(self) -> list[dict[str, object]]:
        """Every API key without the key itself: id, prefix, role, name, created/revoked/used."""
        return access.list_keys(self.store)

    def authorize(
        self, principal: Principal, permission: Permission, customer_id: str | None = None
    ) -> None:
        """Check that ``principal`` may do ``permission``; personal-data reads pass here.

        Raises:
            PermissionDeniedError: the role does not grant it.
        """
        access.authorize(principal, permission, customer_id)

    # --- customers --------------------------------------------------------------------------

    def get_customer(self, customer_id: str) -> dict[str, object]:
        """Profile fields, identifiers and purchase summary of one customer.

        Raises:
            NotFoundError: unknown customer.
        """
        return customers.get_customer(self.store, customer_id)

    def upsert_customers(self, profiles: Sequence[CustomerProfile]) -> int:
        """Create or replace customer profiles in bulk; return how many customers were written."""
        return customers.upsert_customers(self.store, profiles)

    # --- profile, payment methods, consent, audit (every change is audited) ------------------

    def put_profile(self, actor: Actor, profile: CustomerProfile) -> tuple[dict[str, object], bool]:
        """Create or replace one customer's profile; return the customer and whether it is new.

        Raises:
            ErasedCustomerError: the customer was erased (nothing new is stored about them).
        """
        self._refuse_erased(profile.customer_id)
        return privacy.put_profile(self.store, actor, profile)

    def add_payment_method(
        self, actor: Actor, customer_id: str, method: PaymentMethodIn
    ) -> tuple[PaymentMethod, bool]:
        """Save a payment service provider token; returns the method and whether it is new.

        Raises:
            InvalidFieldError: a field looks like a card number (never stored, never repeated).
            NotFoundError: unknown customer.
        """
        return privacy.add_payment_method(self.store, actor, customer_id, method)

    def payment_methods(self, customer_id: str) -> list[PaymentMethod]:
        """A customer's saved payment methods.

        Raises:
            NotFoundError: unknown customer.
        """
        return privacy.payment_methods(self.store, customer_id)

    def remove_payment_method(self, actor: Actor, customer_id: str, payment_method_id: str) -> None:
        """Delete a saved payment method.

        Raises:
            NotFoundError: the customer has no such payment method.
        """
        privacy.remove_payment_method(self.store, actor, customer_id, payment_method_id)

    def record_consents(
        self, actor: Actor, customer_id: str, changes: Sequence[ConsentChange]
    ) -> list[ConsentEntry]:
        """Append consent grants and withdrawals to the customer's ledger (append-only).

        Raises:
            ErasedCustomerError: the customer was erased (nothing new is stored about them).
        """
        self._refuse_erased(customer_id)
        entries = privacy.record_consents(self.store, actor, customer_id, changes)
        if any(e.purpose is Purpose.ANALYTICS and not e.granted for e in entries):
            from kunde._engine import value_snapshot  # an objection: no kept profile stays

            value_snapshot.discard(self.settings)
        return entries

    def consents(self, customer_id: str) -> tuple[list[ConsentState], list[ConsentEntry]]:
        """Current state per purpose and the full ledger of one customer.

        Raises:
            NotFoundError: kunde knows nothing about the customer.
        """
        return privacy.consents(self.store, customer_id)

    def has_consent(self, customer_id: str, purpose: Purpose | str) -> bool:
        """Whether the customer's latest entry for ``purpose`` grants it (default: no).

        Raises:
            InvalidFieldError: unknown purpose.
        """
        return privacy.has_consent(self.store, customer_id, purpose)

    def consented_customers(self, purpose: Purpose | str) -> set[str]:
        """Every customer who currently consents to ``purpose`` (for batch jobs; one query).

        Use :func:`kunde.privacy.consent_mask` to turn it into a mask over a batch's customers.

        Raises:
            InvalidFieldError: unknown purpose.
        """
        return privacy.consented_customers(self.store, purpose)

    def record_read(self, actor: Actor, customer_id: str, what: str) -> None:
        """Audit that ``actor`` read personal data of ``customer_id`` (``what``: the route)."""
        audit.record_read(self.store, actor, customer_id, what)

    def audit_trail(
        self,
        *,
        customer_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before: int | None = None,
        limit: int = 100,
    ) -> tuple[list[AuditEntry], int | None]:
        """A page of the audit trail, newest first, and the ``before`` of the next page."""
        return audit.audit_trail(
            self.store,
            customer_id=customer_id,
            since=since,
            until=until,
            before=before,
            limit=limit,
        )

    # --- data in: files and API payloads ----------------------------------------------------

    def import_orders(
        self,
        path: Path,
        *,
        format: str = "canonical",
        mapping: Mapping[str, str] | None = None,
        progress: bool = False,
    ) -> ImportSummary:
        """Import an order lines file (.csv, .csv.gz, .parquet); every line read is imported,
        rejected (reason in the reject file) or a duplicate.

        Args:
            path: the file.
            format: ``canonical`` or ``online-retail``.
            mapping: field -> column for other layouts (``--map FIELD=COLUMN``).
            progress: show a progress bar on stderr.

        Raises:
            UnreadableFileError: the file cannot be read at all; nothing was written.
            InputError: unknown format or mapped field.
        """
        return imports.import_orders(
            self.store, self.settings, path, format=format, mapping=mapping, progress=progress
        )

    def import_products(self, path: Path, *, progress: bool = False) -> ImportSummary:
        """Import a products file (create or update by product_id).

        Raises:
            UnreadableFileError: the file cannot be read at all; nothing was written.
        """
        return imports.import_products(self.store, self.settings, path, progress=progress)

    def import_events(self, path: Path, *, progress: bool = False) -> ImportSummary:
        """Import a behavioural events file (idempotent by event_id).

        Raises:
            UnreadableFileError: the file cannot be read at all; nothing was written.
        """
        return imports.import_events(self.store, self.settings, path, progress=progress)

    def add_orders(self, orders: Sequence[OrderIn]) -> OrdersResult:
        """Store orders; an order_id already stored with the same lines is left unchanged.

        Raises:
            InvalidFieldError: a field is invalid (named like ``orders[0].lines[2].unit_price``).
            ConflictError: an order_id is stored with other lines; nothing was written.
            ErasedCustomerError: an order names an erased customer; nothing was written.
        """
        return payloads.add_orders(self.store, self.settings, orders)

    def add_events(self, events: Sequence[EventIn]) -> tuple[int, int]:
        """Store events; returns ``(stored, duplicates)`` (idempotent by event_id).

        Raises:
            ErasedCustomerError: an event names an erased customer; nothing was written.
        """
        return payloads.add_events(self.store, self.settings, events)

    def upsert_products(self, products: Sequence[ProductIn]) -> tuple[int, int]:
        """Create or update products; returns ``(created, updated)``."""
        return payloads.upsert_products(self.store, products)

    def reads_inline(self) -> bool:
        """Whether a short keyed read may run in a caller's event loop.

        True on SQLite (a local file in WAL mode: readers never wait for a writer); a database
        over the network is read from a thread.
        """
        return self.store.is_sqlite

    def get_product(self, product_id: str) -> dict[str, object]:
        """One product's stored fields.

        Raises:
            NotFoundError: unknown product.
        """
        return payloads.get_product(self.store, product_id)

    # --- demo -------------------------------------------------------------------------------

    def build_demo(
        self, seed: int = 7, customers: int = 2000, *, progress: bool = False
    ) -> dict[str, object]:
        """Generate the demo shop, import it and train the models; return the counts.

        Idempotent: a rerun on the same database stores nothing twice.

        Raises:
            ConfigurationError: in production (the demo writes made-up customers).
        """
        from kunde._engine import demo as _demo  # the demo generator: not on every start-up

        return _demo.build_demo(self, seed=seed, customers=customers, progress=progress)

    def demo_admin_key(self, *, new: bool = False) -> str | None:
        """A new admin key for the demo, or ``None`` if the one it created earlier still works."""
        from kunde._engine import demo as _demo

        return _demo.demo_admin_key(self, new=new)

    # --- customer value ---------------------------------------------------------------------

    def value_fit(
        self,
        as_of: date | None = None,
        time_unit: str = "W",
        models: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Fit the purchase and spend models on histories up to ``as_of`` and store them.

        ``models`` limits the purchase models fitted (default all: bgnbd, pareto_nbd, mbgnbd).

        Returns:
            ``{"as_of", "time_unit", "customers", "bgnbd", "pareto_nbd", "mbgnbd",
            "gamma_gamma", "chosen"}``: each model entry holds ``params`` and
            ``log_likelihood``; ``chosen`` names the purchase model with the lowest BIC.

        Raises:
            InputError: no purchases stored.
            InvalidFieldError: unknown time unit or model name.
            ConvergenceError: no purchase model could be fitted.
        """
        from kunde._engine import value as _value  # scipy: loaded only when fitting

        return _value.fit(
            self.store, self.settings, as_of=as_of, time_unit=time_unit, models=models
        )

    def value_export(self, output: Path, horizon_days: int = 365, as_of: date | None = None) -> int:
        """Write value predictions (CSV) of every customer with a purchase; return the rows.

        Fits the models first when none are stored or they were fitted as of another day.
        """
        from kunde._engine import value as _value

        return _value.export(
            self.store, self.settings, output, horizon_days=horizon_days, as_of=as_of
        )

    # --- operations -------------------------------------------------------------------------

    def health(self) -> dict[str, object]:
        """Whether the database answers and its schema is current.

        Returns:
            ``{"status": "ok" | "outdated" | "unavailable", "database": bool,
            "schema_current": bool}``.
        """
        try:
            self.store.ping()
            current = self.store.schema_is_current()
        except (StoreUnavailableError, SQLAlchemyError):
            return {"status": "unavailable", "database": False, "schema_current": False}
        return {
            "status": "ok" if current else "outdated",
            "database": True,
            "schema_current": current,
        }
