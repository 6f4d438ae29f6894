"""SQLAlchemy Core tables: the schema every store implementation (SQLite, PostgreSQL) shares.

Changes to this file need a new Alembic migration in ``store/migrations/versions``.
Core (not ORM) tables because kunde's writes are set-based bulk operations.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

__all__ = [
    "api_keys",
    "audit_entries",
    "consent_entries",
    "customer_days",
    "customer_merges",
    "customer_summaries",
    "customers",
    "data_versions",
    "editorial_picks",
    "erasures",
    "events",
    "identifiers",
    "import_runs",
    "metadata",
    "order_lines",
    "orders",
    "payment_methods",
    "personalization_resets",
    "products",
    "removed_interests",
    "token_revocations",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(64), primary_key=True, doc="The shop's customer number."),
    Column("given_name", Text),
    Column("family_name", Text),
    Column("salutation", String(32), doc="e.g. 'Frau', 'Herr', 'Ms', 'Mr' or empty."),
    Column("title", String(32), doc="Academic or other title, e.g. 'Dr.'."),
    Column("language", String(8), doc="Preferred language, e.g. 'de', 'en'."),
    Column("formality", String(16), doc="'formal' or 'informal' address."),
    Column("email", Text),
    Column("phone", Text),
    Column("country", String(64)),
    Column("addresses", JSON, doc="List of delivery/billing addresses."),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
    Column(
        "channels",
        JSON,
        doc="Communication preferences per channel: {channel: {allowed, preferred, "
        "max_per_month}} (migration 0003).",
    ),
)

identifiers = Table(
    "identifiers",
    metadata,
    Column("kind", String(32), primary_key=True, doc="A kunde.identity.IdentifierKind."),
    Column("value", String(255), primary_key=True, doc="Normalised (kunde.identity)."),
    Column(
        "customer_id",
        String(64),
        ForeignKey("customers.customer_id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
        doc="One identifier may be linked to several customers (a shared device; migration 0005).",
    ),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Index("ix_identifiers_customer_id_kind_value", "customer_id", "kind", "value"),
)

customer_merges = Table(
    "customer_merges",
    metadata,
    Column(
        "merge_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("customer_id", String(64), nullable=False, doc="The surviving profile."),
    Column("absorbed_customer_id", String(64), nullable=False, doc="The profile merged into it."),
    Column("reason", String(200), nullable=False, doc="Why, e.g. 'identify: shared email'."),
    Column("identifier_kind", String(32), doc="The identifier both profiles shared."),
    Column("identifier_value", String(255), doc="Its normalised value (personal data)."),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("created_by", String(64), nullable=False, doc="'<role>:<key id>' of the actor."),
    Column("undone_at", DateTime(timezone=False), doc="Set by an unmerge; the row stays."),
    Column("undone_by", String(64)),
    Index("ix_customer_merges_customer_id", "customer_id"),
    Index(
        "uq_customer_merges_absorbed_active",
        "absorbed_customer_id",
        unique=True,
        sqlite_where=text("undone_at IS NULL"),
        postgresql_where=text("undone_at IS NULL"),
    ),
    Index("ix_customer_merges_absorbed_customer_id", "absorbed_customer_id"),
)

products = Table(
    "products",
    metadata,
    Column("product_id", String(64), primary_key=True),
    Column("name", Text),
    Column("category", Text, doc="Category path, levels separated by ' > '."),
    Column("brand", Text),
    Column("price", Float),
    Column("released_at", Date),
    Column("description", Text),
    Column(
        "kind",
        String(16),
        nullable=False,
        default="product",
        doc="'product', or 'fee'/'adjustment' for non-product codes (postage, charges, ...).",
    ),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("updated_at", DateTime(timezone=False), nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("customer_id", String(64), index=True, doc="Empty for anonymous orders."),
    Column("ordered_at", DateTime(timezone=False), nullable=False),
    Column("channel", String(32)),
    Column("store_id", String(64)),
    Column("currency", String(3)),
    Column("country", String(64)),
    Column("source", String(16), nullable=False, doc="'import' or 'api'."),
    Column("created_at", DateTime(timezone=False), nullable=False),
)

order_lines = Table(
    "order_lines",
    metadata,
    # The primary key on PostgreSQL. On SQLite (migration 0011) the table has none: lines are
    # stored in the order they arrive (the rowid), and the key is unique through the index
    # ix_order_lines_line_key, which a bulk load drops and builds again (store/orders.py).
    Column(
        "line_key",
        BigInteger,
        primary_key=True,
        autoincrement=False,
        doc="Stable 63-bit hash of the line's identifying content; makes imports idempotent.",
    ),
    Column("order_id", String(64), nullable=False),
    Column("customer_id", String(64), doc="Copied from the order for per-customer scans."),
    Column("product_id", String(64), doc="Empty for order-level rows (CDNOW style)."),
    Column("ordered_at", DateTime(timezone=False), nullable=False),
    Column("quantity", Integer, nullable=False, doc="Negative: a return or cancellation."),
    Column("unit_price", Float),
    Column("amount", Float, nullable=False, doc="Line total in the line's currency."),
    Column("currency", String(3)),
    Column("channel", String(32)),
    Column("store_id", String(64)),
    Column("is_gift", Boolean, nullable=False, default=False),
    Column(
        "kind",
        String(16),
        nullable=False,
        doc="'product', 'fee' (postage, charges) or 'adjustment' (manual, bad debt, stock).",
    ),
    Column("returned_quantity", Integer, nullable=False, default=0),
    Column("return_of", BigInteger, doc="For a return line: line_key of the line it returns."),
    # Lines of a customer (identity merges, erasure, a customer's history) and of a customer and
    # product (linking returns); anonymous lines are not looked up by customer (migration 0008).
    Index(
        "ix_order_lines_customer_id_product_id",
        "customer_id",
        "product_id",
        sqlite_where=text("customer_id IS NOT NULL"),
        postgresql_where=text("customer_id IS NOT NULL"),
    ),
    # Lines of an order (``POST /v1/orders`` compares a posted order with the stored one).
    Index("ix_order_lines_order_id", "order_id"),
)

customer_days = Table(
    "customer_days",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("purchased", Float, nullable=False, default=0.0, doc="Sum of purchase line totals."),
    Column("returned", Float, nullable=False, default=0.0, doc="Sum of return line totals (<=0)."),
    Column("purchase_lines", Integer, nullable=False, default=0),
)

customer_summaries = Table(
    "customer_summaries",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("first_purchase_day", Date),
    Column("last_purchase_day", Date),
    Column("purchase_days", Integer, nullable=False, default=0),
    Column("net_revenue", Float, nullable=False, default=0.0),
    Column("updated_at", DateTime(timezone=False), nullable=False),
    Column(
        "repeat_net_revenue",
        Float,
        nullable=False,
        default=0.0,
        server_default="0",
        doc="Net value of the days after the first purchase day (Gamma-Gamma's repeat spend).",
    ),
    Column("last_activity_day", Date, doc="Latest day with a purchase or a return."),
)

data_versions = Table(
    "data_versions",
    metadata,
    Column("name", String(32), primary_key=True, doc="What is versioned, e.g. customer_days."),
    Column(
        "version",
        BigInteger,
        nullable=False,
        doc="Bumped in the same transaction as every change; caches key on it.",
    ),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("occurred_at", DateTime(timezone=False), nullable=False),
    Column("type", String(32), nullable=False),
    Column("customer_id", String(64), index=True),
    Column("anonymous_id", String(128), index=True),
    Column("touchpoint", String(32)),
    Column("device_id", String(128), index=True, doc="Indexed for stitching (migration 0005)."),
    Column("product_id", String(64)),
    Column("properties", JSON),
    Column("received_at", DateTime(timezone=False), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", Integer, primary_key=True, autoincrement=True),
    Column("prefix", String(16), nullable=False, doc="First characters, to recognise a key."),
    Column("key_hash", String(64), nullable=False, doc="SHA-256 of the key; the key is not kept."),
    Column("role", String(16), nullable=False),
    Column("name", Text),
    Column("created_at", DateTime(timezone=False), nullable=False),
    Column("revoked_at", DateTime(timezone=False)),
    Column(
        "last_used_at",
        DateTime(timezone=False),
        doc="Last successful authentication, updated at most every few minutes (migration 0002).",
    ),
    UniqueConstraint("key_hash"),
)

import_runs = Table(
    "import_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False, doc="'orders', 'products' or 'events'."),
    Column("source", Text, nullable=False),
    Column("started_at", DateTime(timezone=False), nullable=False),
    Column("finished_at", DateTime(timezone=False)),
    Column("read", Integer, nullable=False, default=0),
    Column("imported", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("reject_file", Text),
)

# --- privacy (migration 0003); the ledger and the audit trail are append-only -----------------

consent_entries = Table(
    "consent_entries",
    metadata,
    Column(
        "entry_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
        doc="Increases with every entry: the ledger's order.",
    ),
    Column("customer_id", String(64), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("policy_version", String(32), nullable=False),
    Column("source", String(32), nullable=False, doc="checkout, web, app, call_centre, ..."),
    Column("recorded_at", DateTime(timezone=False), nullable=False),
    Column("recorded_by", String(64), nullable=False, doc="'<role>:<key id>' of the recorder."),
    Index("ix_consent_entries_customer_id_purpose", "customer_id", "purpose"),
    Index("ix_consent_entries_purpose_customer_id", "purpose", "customer_id"),
)

payment_methods = Table(
    "payment_methods",
    metadata,
    Column("payment_method_id", String(32), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("provider", String(32), nullable=False),
    Column("token", String(255), nullable=False, doc="The provider's token; never a card number."),
    Column("label", String(64)),
    Column("last4", String(4)),
    Column("expiry_month", Integer),
    Column("expiry_year", Integer),
    Column("created_at", DateTime(timezone=False), nullable=False),
    UniqueConstraint("customer_id", "provider", "token"),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column(
        "entry_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("at", DateTime(timezone=False), nullable=False),
    Column("actor_key_id", Integer, doc="The API key that acted (no foreign key: keys may go)."),
    Column("actor_role", String(16), nullable=False),
    Column("action", String(48), nullable=False, doc="e.g. customer.read, consent.record."),
    Column("customer_id", String(64)),
    Column("request_id", String(64)),
    Column("reason", String(200)),
    Column("details", JSON, doc="What changed, by name only: never personal values."),
    Index("ix_audit_entries_customer_id_entry_id", "customer_id", "entry_id"),
    Index("ix_audit_entries_at", "at"),
)

# --- recommendations (migration 0004) ----------------------------------------------------------

personalization_resets = Table(
    "personalization_resets",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column(
        "reset_at",
        DateTime(timezone=False),
        nullable=False,
        doc="Purchases before this moment no longer shape the customer's interests.",
    ),
)

removed_interests = Table(
    "removed_interests",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("category", String(255), primary_key=True, doc="The category as the feed names it."),
    Column("removed_at", DateTime(timezone=False), nullable=False),
)

editorial_picks = Table(
    "editorial_picks",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("product_id", String(64), nullable=False),
    Column(
        "share",
        Float,
        doc="Share of the feed's slots for editorial picks (the same on every row); "
        "NULL: the shop's KUNDE_RECOMMEND_EDITORIAL_SHARE.",
    ),
    Column("updated_at", DateTime(timezone=False), nullable=False),
)
# --- rights (migration 0006) -------------------------------------------------------------------

erasures = Table(
    "erasures",
    metadata,
    Column(
        "erasure_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column(
        "subject_digest",
        String(64),
        nullable=False,
        doc="HMAC-SHA256 of the erased customer id under KUNDE_SECRET_KEY; never the id.",
    ),
    Column("pseudonym", String(40), nullable=False, doc="Random; names the kept order lines."),
    Column("erased_at", DateTime(timezone=False), nullable=False),
    Column("retain_until", Date, doc="Last day the pseudonymised order lines must be kept."),
    Index("ix_erasures_subject_digest", "subject_digest"),
)
"""The erasure register: trainers and imports leave erased customers out."""

# --- customer token revocation (migration 0009) -------------------------------------------------

token_revocations = Table(
    "token_revocations",
    metadata,
    Column(
        "revocation_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("customer_id", String(64), nullable=False),
    Column(
        "token_id",
        String(32),
        doc="The revoked token's jti; NULL: every token of the customer issued up to revoked_at.",
    ),
    Column("revoked_at", DateTime(timezone=False), nullable=False),
    Column(
        "expires_at",
        DateTime(timezone=False),
        doc="When the revoked token would have expired anyway (one token only).",
    ),
    Index("ix_token_revocations_customer_id", "customer_id"),
)
"""Revoked customer tokens: all of a customer's up to a moment, or one session (its jti)."""
