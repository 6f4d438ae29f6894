"""import speed: order_lines keeps the indexes its readers use, narrower

Drops ``ix_order_lines_product_id`` (no reader: recommendations train from full scans) and
replaces ``ix_order_lines_customer_id_ordered_at`` by ``ix_order_lines_customer_id_product_id``
on lines that have a customer. Readers look lines up by customer (and sort one customer's
lines themselves) or, to link a return, by customer and product: with the old index that
look-up read the customer's whole history. ``ix_order_lines_order_id`` stays
(``POST /v1/orders``).

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_WITH_CUSTOMER = sa.text("customer_id IS NOT NULL")


def upgrade() -> None:
    # A bulk load killed under an earlier version leaves the old indexes dropped.
    op.drop_index("ix_order_lines_product_id", table_name="order_lines", if_exists=True)
    op.drop_index("ix_order_lines_customer_id_ordered_at", table_name="order_lines", if_exists=True)
    op.create_index(
        "ix_order_lines_customer_id_product_id",
        "order_lines",
        ["customer_id", "product_id"],
        sqlite_where=_WITH_CUSTOMER,
        postgresql_where=_WITH_CUSTOMER,
    )


def downgrade() -> None:
    op.drop_index("ix_order_lines_customer_id_product_id", table_name="order_lines")
    op.create_index(
        "ix_order_lines_customer_id_ordered_at", "order_lines", ["customer_id", "ordered_at"]
    )
    op.create_index("ix_order_lines_product_id", "order_lines", ["product_id"])
