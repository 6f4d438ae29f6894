"""privacy: channel preferences, consent ledger, payment methods, audit trail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channels", sa.JSON(), nullable=True))
    op.create_table(
        "consent_entries",
        sa.Column("entry_id", _ID, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("policy_version", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_consent_entries")),
    )
    op.create_index(
        "ix_consent_entries_customer_id_purpose",
        "consent_entries",
        ["customer_id", "purpose"],
    )
    op.create_index(
        "ix_consent_entries_purpose_customer_id",
        "consent_entries",
        ["purpose", "customer_id"],
    )
    op.create_table(
        "payment_methods",
        sa.Column("payment_method_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("last4", sa.String(length=4), nullable=True),
        sa.Column("expiry_month", sa.Integer(), nullable=True),
        sa.Column("expiry_year", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("payment_method_id", name=op.f("pk_payment_methods")),
        sa.UniqueConstraint(
            "customer_id",
            "provider",
            "token",
            name=op.f("uq_payment_methods_customer_id_provider_token"),
        ),
    )
    op.create_table(
        "audit_entries",
        sa.Column("entry_id", _ID, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_key_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_audit_entries")),
    )
    op.create_index(
        "ix_audit_entries_customer_id_entry_id", "audit_entries", ["customer_id", "entry_id"]
    )
    op.create_index("ix_audit_entries_at", "audit_entries", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_at", table_name="audit_entries")
    op.drop_index("ix_audit_entries_customer_id_entry_id", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("payment_methods")
    op.drop_index("ix_consent_entries_purpose_customer_id", table_name="consent_entries")
    op.drop_index("ix_consent_entries_customer_id_purpose", table_name="consent_entries")
    op.drop_table("consent_entries")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("channels")
