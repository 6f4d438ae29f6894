"""value summaries: customer_summaries keeps everything the value models need

Adds ``repeat_net_revenue`` (net value of the days after the first purchase day, what
Gamma-Gamma's mean repeat spend is taken from) and ``last_activity_day`` (latest day with a
purchase or a return: the latest of them all is the default as-of day), and fills them from
``customer_days``. With them, fitting and scoring without an as-of date read one row per
customer instead of every customer day.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer_summaries") as batch:
        batch.add_column(
            sa.Column("repeat_net_revenue", sa.Float(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_activity_day", sa.Date(), nullable=True))
    op.execute(
        "UPDATE customer_summaries SET "
        "repeat_net_revenue = COALESCE((SELECT SUM(d.purchased + d.returned) "
        "FROM customer_days d WHERE d.customer_id = customer_summaries.customer_id "
        "AND d.day > customer_summaries.first_purchase_day), 0), "
        "last_activity_day = (SELECT MAX(d.day) FROM customer_days d "
        "WHERE d.customer_id = customer_summaries.customer_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("customer_summaries") as batch:
        batch.drop_column("last_activity_day")
        batch.drop_column("repeat_net_revenue")
