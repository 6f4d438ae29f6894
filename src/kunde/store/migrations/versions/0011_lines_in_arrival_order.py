"""lines in arrival order: on SQLite, order_lines is stored in the order its lines arrive

Until now ``line_key INTEGER PRIMARY KEY`` made the 63-bit line key SQLite's rowid, so the table's
B-tree was ordered by a hash: every batch of an import wrote its lines all over the table, and
each commit rewrote most of its pages into the WAL. Now the table is keyed by its implicit rowid,
which grows with each insert (new lines are appended), and ``line_key`` is unique through the
index ``ix_order_lines_line_key`` of (key, rowid) pairs, a fifth of the table's size. A bulk load
into an empty store drops that index with the others and builds it at the end (see
:meth:`kunde.store.orders.OrderRepository.bulk_load`). Existing lines are copied in key order.
PostgreSQL is unchanged: its tables are heaps in arrival order already, and ``line_key`` stays
the primary key.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_COLUMNS = (
    "line_key",
    "order_id",
    "customer_id",
    "product_id",
    "ordered_at",
    "quantity",
    "unit_price",
    "amount",
    "currency",
    "channel",
    "store_id",
    "is_gift",
    "kind",
    "returned_quantity",
    "return_of",
)

_INDEXES = (
    "CREATE UNIQUE INDEX ix_order_lines_line_key ON order_lines (line_key)",
    "CREATE INDEX ix_order_lines_customer_id_product_id ON order_lines (customer_id, product_id) "
    "WHERE customer_id IS NOT NULL",
    "CREATE INDEX ix_order_lines_order_id ON order_lines (order_id)",
)


def _table(rowid_key: bool) -> str:
    """order_lines keyed by ``line_key`` as the rowid (before) or by its own rowid (after)."""
    key = ", CONSTRAINT pk_order_lines PRIMARY KEY (line_key)" if rowid_key else ""
    return (
        "CREATE TABLE order_lines_new ("
        f"line_key {'INTEGER' if rowid_key else 'BIGINT'} NOT NULL, "
        "order_id VARCHAR(64) NOT NULL, "
        "customer_id VARCHAR(64), "
        "product_id VARCHAR(64), "
        "ordered_at DATETIME NOT NULL, "
        "quantity INTEGER NOT NULL, "
        "unit_price FLOAT, "
        "amount FLOAT NOT NULL, "
        "currency VARCHAR(3), "
        "channel VARCHAR(32), "
        "store_id VARCHAR(64), "
        "is_gift BOOLEAN NOT NULL, "
        "kind VARCHAR(16) NOT NULL, "
        "returned_quantity INTEGER NOT NULL, "
        f"return_of BIGINT{key})"
    )


def _rebuild(rowid_key: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    names = ", ".join(_COLUMNS)
    # A bulk load killed under an earlier version may have left the indexes dropped.
    op.execute("DROP INDEX IF EXISTS ix_order_lines_customer_id_product_id")
    op.execute("DROP INDEX IF EXISTS ix_order_lines_order_id")
    op.execute("DROP INDEX IF EXISTS ix_order_lines_line_key")
    op.execute(_table(rowid_key))
    op.execute(
        f"INSERT INTO order_lines_new ({names}) SELECT {names} FROM order_lines ORDER BY line_key"
    )
    op.execute("DROP TABLE order_lines")
    op.execute("ALTER TABLE order_lines_new RENAME TO order_lines")
    for index in _INDEXES[rowid_key:]:  # the key index only where the key is not the rowid
        op.execute(index)


def upgrade() -> None:
    _rebuild(rowid_key=False)


def downgrade() -> None:
    _rebuild(rowid_key=True)
