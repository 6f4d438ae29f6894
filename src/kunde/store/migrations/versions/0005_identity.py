"""identity: identifiers linked to several customers, customer merges, events by device

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-04 15:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # One identifier may now be linked to several customers (the shared-device guard counts them).
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.drop_constraint("pk_identifiers", type_="primary")
        batch_op.create_primary_key("pk_identifiers", ["kind", "value", "customer_id"])
    # A profile's linked values of one kind, read without touching the table (stitching).
    op.create_index(
        "ix_identifiers_customer_id_kind_value", "identifiers", ["customer_id", "kind", "value"]
    )
    op.create_table(
        "customer_merges",
        sa.Column("merge_id", _ID, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("absorbed_customer_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("identifier_kind", sa.String(length=32), nullable=True),
        sa.Column("identifier_value", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("merge_id", name=op.f("pk_customer_merges")),
    )
    op.create_index("ix_customer_merges_customer_id", "customer_merges", ["customer_id"])
    op.create_index(
        "ix_customer_merges_absorbed_customer_id", "customer_merges", ["absorbed_customer_id"]
    )
    op.create_index(
        "uq_customer_merges_absorbed_active",
        "customer_merges",
        ["absorbed_customer_id"],
        unique=True,
        sqlite_where=sa.text("undone_at IS NULL"),
        postgresql_where=sa.text("undone_at IS NULL"),
    )
    op.create_index("ix_events_device_id", "events", ["device_id"])


def downgrade() -> None:
    op.drop_index("ix_events_device_id", table_name="events")
    op.drop_index("ix_identifiers_customer_id_kind_value", table_name="identifiers")
    op.drop_index("uq_customer_merges_absorbed_active", table_name="customer_merges")
    op.drop_index("ix_customer_merges_absorbed_customer_id", table_name="customer_merges")
    op.drop_index("ix_customer_merges_customer_id", table_name="customer_merges")
    op.drop_table("customer_merges")
    # Identifiers linked to several customers keep only their first link.
    op.execute(
        "DELETE FROM identifiers WHERE EXISTS (SELECT 1 FROM identifiers o WHERE "
        "o.kind = identifiers.kind AND o.value = identifiers.value AND "
        "o.customer_id < identifiers.customer_id)"
    )
    with op.batch_alter_table("identifiers", schema=None) as batch_op:
        batch_op.drop_constraint("pk_identifiers", type_="primary")
        batch_op.create_primary_key("pk_identifiers", ["kind", "value"])
