"""Linking returns to the lines they return, set-based.

Private to :mod:`kunde.store.orders`. A return (negative quantity) is linked to the latest
earlier purchase (positive quantity, ``ordered_at`` not after the return's, ties broken by the
higher ``line_key``) of the same product by the same customer: its ``return_of`` names that
line, whose ``returned_quantity`` grows by the returned units (capped at its quantity). Returns
without such a purchase stay unlinked and are tried again by the next import.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection, text

__all__ = ["link_returns"]

_RETURNS = "kunde_stage_returns"
_LINKS = "kunde_stage_links"

_UNLINKED = (
    "SELECT r.line_key, -r.quantity, r.customer_id, r.product_id, r.ordered_at "
    "FROM order_lines r WHERE r.quantity < 0 AND r.return_of IS NULL "
    "AND r.customer_id IS NOT NULL AND r.product_id IS NOT NULL"
)

# One look-up per return through ix_order_lines_customer_id_product_id.
_ORIGINALS = (
    f"SELECT r.returned, r.units, (SELECT o.line_key FROM order_lines o "
    "WHERE o.customer_id = r.customer_id AND o.product_id = r.product_id AND o.quantity > 0 "
    "AND o.ordered_at <= r.ordered_at ORDER BY o.ordered_at DESC, o.line_key DESC LIMIT 1) "
    f"AS original FROM {_RETURNS} r"
)


def link_returns(conn: Connection, keys: Sequence[int] | None) -> None:
    """Link the unlinked returns among the lines ``keys`` (all unlinked returns when ``None``)."""
    least = "min" if conn.dialect.name == "sqlite" else "LEAST"
    for table in (_RETURNS, _LINKS):
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    conn.execute(
        text(
            f"CREATE TEMP TABLE {_RETURNS} AS SELECT r.line_key AS returned, -r.quantity AS units, "
            "r.customer_id, r.product_id, r.ordered_at FROM order_lines r LIMIT 0"
        )
    )
    if keys is None:
        conn.execute(text(f"INSERT INTO {_RETURNS} {_UNLINKED}"))
    elif keys:
        # One statement for all keys (each line once, however often its key is given).
        distinct = sorted(set(keys))
        sqlite = conn.dialect.name == "sqlite"
        among = "IN (SELECT value FROM json_each(:keys))" if sqlite else "= ANY(:keys)"
        bound: object = json.dumps(distinct) if sqlite else distinct
        conn.execute(
            text(f"INSERT INTO {_RETURNS} {_UNLINKED} AND r.line_key {among}"), {"keys": bound}
        )
    if conn.execute(text(f"SELECT 1 FROM {_RETURNS} LIMIT 1")).first() is not None:
        conn.execute(text(f"CREATE TEMP TABLE {_LINKS} AS {_ORIGINALS}"))
        conn.execute(
            text(
                f"UPDATE order_lines SET return_of = m.original FROM {_LINKS} m "
                "WHERE order_lines.line_key = m.returned AND m.original IS NOT NULL"
            )
        )
        conn.execute(
            text(
                f"UPDATE order_lines SET returned_quantity = {least}(order_lines.quantity, "
                "order_lines.returned_quantity + m.units) FROM (SELECT original, SUM(units) "
                f"AS units FROM {_LINKS} WHERE original IS NOT NULL GROUP BY original) AS m "
                "WHERE order_lines.line_key = m.original"
            )
        )
        conn.execute(text(f"DROP TABLE {_LINKS}"))
    conn.execute(text(f"DROP TABLE {_RETURNS}"))
