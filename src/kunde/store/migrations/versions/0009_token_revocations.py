"""token_revocations: customer tokens revoked by staff, by the customer or by an erasure

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "token_revocations",
        sa.Column(
            "revocation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("token_id", sa.String(32)),
        sa.Column("revoked_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=False)),
        sa.PrimaryKeyConstraint("revocation_id", name="pk_token_revocations"),
    )
    op.create_index("ix_token_revocations_customer_id", "token_revocations", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_token_revocations_customer_id", table_name="token_revocations")
    op.drop_table("token_revocations")
