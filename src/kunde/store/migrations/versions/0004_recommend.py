"""recommend: personalization resets, removed interests, editorial picks

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "personalization_resets",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("reset_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_personalization_resets")),
    )
    op.create_table(
        "removed_interests",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=255), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "category", name=op.f("pk_removed_interests")),
    )
    op.create_table(
        "editorial_picks",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_editorial_picks")),
    )


def downgrade() -> None:
    op.drop_table("editorial_picks")
    op.drop_table("removed_interests")
    op.drop_table("personalization_resets")
