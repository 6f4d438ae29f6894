"""One customer's recommendation state in one statement, as plain rows.

A recommendation request needs the customer's profile (the identity graph's active merges),
its country, latest reset, consent, removed interests, bought lines and the shop's editorial
picks. They are read in one statement through the driver's own cursor (no SQLAlchemy result
objects: a request runs it every time) and come back as tagged rows, sorted, so that the same
state always gives the same rows: :func:`parse_state` turns them into a :class:`ServingState`,
and a page cache may key on them (the rows *are* the state, read fresh after every commit).

Every column is non-null (``''``, ``0`` or ``-1.0`` stand in for missing values) so the rows
sort; texts are the database's text of the value (timestamps as ISO text on both SQLite and
PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from kunde.store._recommend_rows import EPOCH, EditorialPicks, LineRows, ServingState

__all__ = ["StateRows", "canonical", "parse_state", "state_sql"]

StateRows = tuple[tuple[str, str, str, int, int, float], ...]
"""``(tag, a, b, n, o, f)`` per row, sorted; see :func:`state_sql` for the tags."""

_SQL = """
WITH RECURSIVE up(id) AS (
  SELECT c.customer_id FROM customers c WHERE c.customer_id = :customer_id
  UNION SELECT m.customer_id FROM customer_merges m JOIN up
  ON m.absorbed_customer_id = up.id WHERE m.undone_at IS NULL),
root(id) AS (SELECT up.id FROM up WHERE NOT EXISTS (SELECT 1 FROM customer_merges m
  WHERE m.absorbed_customer_id = up.id AND m.undone_at IS NULL)),
down(id) AS (SELECT root.id FROM root
  UNION SELECT m.absorbed_customer_id FROM customer_merges m JOIN down
  ON m.customer_id = down.id WHERE m.undone_at IS NULL)
SELECT 'm', (SELECT root.id FROM root), down.id, 0, 0, CAST(-1.0 AS DOUBLE PRECISION) FROM down
UNION ALL
SELECT 'c', COALESCE(c.country, ''), '', 0, 0, -1.0 FROM customers c
  WHERE c.customer_id = (SELECT root.id FROM root)
UNION ALL
SELECT 'x', COALESCE({ts(MAX(r.reset_at))}, ''), '', 0, 0, -1.0
  FROM personalization_resets r WHERE r.customer_id IN (SELECT id FROM down)
UNION ALL
SELECT 'g', e.customer_id, '', CASE WHEN e.granted THEN 1 ELSE 0 END, 0, -1.0
  FROM consent_entries e WHERE e.entry_id = (SELECT MAX(x.entry_id)
  FROM consent_entries x WHERE x.customer_id IN (SELECT id FROM down)
  AND x.purpose = 'personalization')
UNION ALL
SELECT 'r', i.category, {ts(MAX(i.removed_at))}, 0, 0, -1.0
  FROM removed_interests i WHERE i.customer_id IN (SELECT id FROM down) GROUP BY i.category
UNION ALL
SELECT 'l', l.product_id, {ts(l.ordered_at)}, l.quantity - l.returned_quantity,
  CASE WHEN l.is_gift THEN 1 ELSE 0 END, -1.0
  FROM order_lines l WHERE l.customer_id IN (SELECT id FROM down) AND l.kind = 'product'
  AND l.product_id IS NOT NULL AND l.quantity > 0 AND l.quantity - l.returned_quantity > 0
UNION ALL
SELECT 'e', p.product_id, {ts(p.updated_at)}, p.position, 0,
  COALESCE(CAST(p.share AS DOUBLE PRECISION), -1.0)
  FROM editorial_picks p
"""
_TIMES = ("MAX(r.reset_at)", "MAX(i.removed_at)", "l.ordered_at", "p.updated_at")
# PostgreSQL's text of a timestamp follows the DateStyle setting; this does not
_PG_ISO = 'YYYY-MM-DD"T"HH24:MI:SS.US'


def state_sql(sqlite: bool) -> str:
    """The statement in the driver's parameter style (``:name`` or ``%(name)s``).

    Tags: ``m`` (profile id, member id) per customer id of the profile; ``c`` the profile's
    country; ``x`` the latest reset ('' never); ``g`` the newest ``personalization`` entry
    among the members (none when there is none), whether it grants (``n``); ``r`` (category,
    latest removal) per removed interest; ``l`` (product, ordered_at, kept units ``n``, gift
    ``o``) per bought line; ``e`` (product, updated_at, position ``n``, share ``f``, -1 for
    the shop's default) per editorial pick.
    """
    sql = " ".join(_SQL.split())
    for expr in _TIMES:
        text = f"CAST({expr} AS TEXT)" if sqlite else f"to_char({expr}, '{_PG_ISO}')"
        sql = sql.replace(f"{{ts({expr})}}", text)
    return sql if sqlite else sql.replace(":customer_id", "%(customer_id)s")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def parse_state(rows: StateRows) -> ServingState | None:
    """The rows of :func:`state_sql` as a :class:`ServingState` (``None``: unknown customer).

    Consent is the person's latest expressed will (the newest ``personalization`` entry
    among the members); the latest reset counts; every removed
    category counts; the lines are every member's.
    """
    by_tag: dict[str, list[tuple[str, str, str, int, int, float]]] = {}
    for row in rows:
        by_tag.setdefault(row[0], []).append(row)
    members = by_tag.get("m", [])
    if not members:
        return None
    profile = str(members[0][1])
    ids = [profile, *sorted(str(r[2]) for r in members if r[2] != profile)]
    country = str(by_tag["c"][0][1]) if "c" in by_tag else ""
    reset_text = by_tag["x"][0][1] if "x" in by_tag else ""
    grants = [int(r[3]) for r in by_tag.get("g", [])]
    consent = bool(grants) and all(grants)
    removed = [(str(r[1]), _time(r[2])) for r in by_tag.get("r", [])]
    lines = by_tag.get("l", [])
    at = np.array([r[2] for r in lines], dtype="datetime64[us]")
    line_rows = LineRows(
        customer_id=np.full(len(lines), ids[0]),
        order_id=np.zeros(len(lines), dtype=np.str_),
        product_id=np.array([r[1] for r in lines], dtype=np.str_),
        day=(at.astype("datetime64[D]") - EPOCH).astype(np.int64),
        quantity=np.array([r[3] for r in lines], dtype=np.float64),
        is_gift=np.array([bool(r[4]) for r in lines], dtype=bool),
        at=at,
    )
    picks = sorted(by_tag.get("e", []), key=lambda r: r[3])
    editorial = (
        EditorialPicks(
            [str(r[1]) for r in picks],
            None if picks[0][5] < 0 else float(picks[0][5]),
            _time(picks[0][2]),
        )
        if picks
        else EditorialPicks([], None, None)
    )
    return ServingState(
        country,
        consent,
        _time(reset_text) if reset_text else None,
        removed,
        line_rows,
        editorial,
        ids,
    )


def canonical(rows: Sequence[Any]) -> StateRows:
    """The driver's rows as a sorted tuple of tuples (the same state, the same rows)."""
    return tuple(sorted(tuple(r) for r in rows))
