"""The erasure register.

Revision ID: 0006
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column(
            "erasure_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("subject_digest", sa.String(64), nullable=False),
        sa.Column("pseudonym", sa.String(40), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("retain_until", sa.Date()),
        sa.PrimaryKeyConstraint("erasure_id", name="pk_erasures"),
    )
    op.create_index("ix_erasures_subject_digest", "erasures", ["subject_digest"])


def downgrade() -> None:
    op.drop_index("ix_erasures_subject_digest", table_name="erasures")
    op.drop_table("erasures")
