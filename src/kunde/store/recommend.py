"""What the recommendation models learn from and what the customer changed, read set-based.

* :meth:`RecommendRepository.lines` — every bought product line (kind ``product``, anonymous
  orders included) with its returns netted, as aligned arrays;
* :meth:`RecommendRepository.products` — the catalog with the texts content similarity needs;
* personalization resets and removed interests, applied at training and at serving time;
* the shop's editorial picks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Connection,
    Date,
    cast,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy import Engine as SAEngine

from kunde.store._line_text import line_range
from kunde.store._recommend_rows import (
    CatalogRows,
    EditorialPicks,
    LineRows,
    ServingState,
    day_numbers,
    line_rows,
    texts,
)
from kunde.store._serving_state import StateRows, canonical, parse_state, state_sql
from kunde.store._transaction import transaction
from kunde.store.database import is_sqlite
from kunde.store.tables import (
    customers,
    editorial_picks,
    order_lines,
    personalization_resets,
    products,
    removed_interests,
)

LINES_PER_READ = 2_000_000
"""Line keys per read of :meth:`RecommendRepository.lines` (bounds one text's length)."""

__all__ = [
    "LINES_PER_READ",
    "CatalogRows",
    "EditorialPicks",
    "LineRows",
    "RecommendRepository",
    "ServingState",
    "StateRows",
    "parse_state",
]


class RecommendRepository:
    """Reads the recommendation inputs and stores the customers' personalization choices.

    Args:
        db: the SQLAlchemy engine of the store.
    """

    def __init__(self, db: SAEngine) -> None:
        self._db = db
        self._sqlite = is_sqlite(db)
        self._state_sql = state_sql(self._sqlite)

    def _day_of(self, column: Any) -> Any:
        # SQLite keeps timestamps as ISO text; its first ten characters are the day
        return func.substr(column, 1, 10) if self._sqlite else cast(column, Date)

    def _line_query(self) -> Any:
        t = order_lines.c
        kept = t.quantity - t.returned_quantity
        return select(
            func.coalesce(t.customer_id, ""),
            t.order_id,
            t.product_id,
            self._day_of(t.ordered_at),
            kept,
            t.is_gift,
        ).where(
            t.kind == "product",
            t.product_id.is_not(None),
            t.quantity > 0,
            kept > 0,
        )

    def lines(self) -> LineRows:
        """Bought product lines of all customers and anonymous orders, returns netted.

        Lines of other kinds (postage, fees, adjustments), lines without a product, and lines
        whose units were all sent back are left out. Return lines themselves never count:
        their units are netted on the line they return (``returned_quantity``).

        Read as one text per column (``group_concat`` / ``string_agg``) per range of line keys
        holding at most ``LINES_PER_READ`` lines, split and parsed by numpy: half a million
        rows never become Python tuples. Day and gift flag come as one fixed-width text. A
        range whose ids contain the separator is read row by row instead.
        """
        parts: list[LineRows] = []
        after: int | None = None  # reads go in line-key order, LINES_PER_READ lines each
        with self._db.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                while True:
                    part, after = line_range(cursor, self._sqlite, after, LINES_PER_READ)
                    parts.append(part)
                    if after is None:
                        break
            finally:
                cursor.close()
        if len(parts) == 1:
            return parts[0]
        return LineRows(
            **{
                name: np.concatenate([getattr(part, name) for part in parts])
                for name in ("customer_id", "order_id", "product_id", "day", "quantity", "is_gift")
            }
        )

    def customer_lines(self, customer_id: str, *, conn: Connection | None = None) -> LineRows:
        """One customer's bought product lines like :meth:`lines`, with their exact times."""
        t = order_lines.c
        query = self._line_query().add_columns(t.ordered_at).where(t.customer_id == customer_id)
        if conn is None:
            with self._db.connect() as own:
                rows = own.execute(query).all()
        else:
            rows = conn.execute(query).all()
        lines = line_rows([r[:6] for r in rows])
        at = np.array([r[6] for r in rows], dtype="datetime64[us]")
        return LineRows(**{**lines.__dict__, "at": at})

    def serving_rows(self, customer_id: str) -> StateRows | None:
        """Everything one recommendation request reads, as sorted rows; ``None``: unknown.

        One statement through the driver's cursor (see :mod:`kunde.store._serving_state`):
        the customer is read as their profile (the identity graph's active merges), and its
        state is pooled over the profile's customer ids. The same state gives the same rows.
        """
        raw = self._db.raw_connection()  # the pool's connection, without a Connection
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(self._state_sql, {"customer_id": customer_id})
                rows = cursor.fetchall()
            finally:
                cursor.close()
        finally:
            raw.close()  # back to the pool (which rolls back the read)
        return canonical(rows) if rows else None

    def serving_state(self, customer_id: str) -> ServingState | None:
        """:meth:`serving_rows` parsed (:func:`~kunde.store._serving_state.parse_state`).

        The country is the profile's; consent is the person's latest expressed will (the
        newest ``personalization`` entry among the ids); the latest reset counts; every removed
        category counts; the lines are everyone's.
        """
        rows = self.serving_rows(customer_id)
        return None if rows is None else parse_state(rows)

    def products(self) -> CatalogRows:
        """Every product of kind ``product``, sorted by id."""
        p = products.c
        query = (
            select(p.product_id, p.name, p.category, p.description, p.released_at)
            .where(p.kind == "product")
            .order_by(p.product_id)
        )
        with self._db.connect() as conn:
            rows = conn.execute(query).all()
        ids = [r[0] for r in rows]
        released = np.full(len(rows), -1, dtype=np.int64)
        has = [i for i, r in enumerate(rows) if r[4] is not None]
        released[has] = day_numbers([rows[i][4] for i in has])
        return CatalogRows(
            product_id=np.array(ids, dtype=np.str_),
            name=["" if r[1] is None else str(r[1]) for r in rows],
            category=["" if r[2] is None else str(r[2]) for r in rows],
            description=["" if r[3] is None else str(r[3]) for r in rows],
            released_day=released,
        )

    def customer_countries(self) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_]]:
        """``(customer_id, country)`` of every stored customer ('' where unknown)."""
        c = customers.c
        with self._db.connect() as conn:
            rows = conn.execute(select(c.customer_id, c.country)).all()
        return texts([r[0] for r in rows]), texts([r[1] for r in rows])

    def country(self, customer_id: str, *, conn: Connection | None = None) -> str | None:
        """The customer's country, '' when unknown, ``None`` when the customer is unknown."""
        query = select(func.coalesce(customers.c.country, "")).where(
            customers.c.customer_id == customer_id
        )
        if conn is None:
            with self._db.connect() as own:
                value = own.execute(query).scalar_one_or_none()
        else:
            value = conn.execute(query).scalar_one_or_none()
        return None if value is None else str(value)

    # --- the customer's choices ---------------------------------------------------------------

    def resets(self) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int64]]:
        """``(customer_id, day of the reset)`` of every customer who reset their interests."""
        r = personalization_resets.c
        with self._db.connect() as conn:
            rows = conn.execute(select(r.customer_id, self._day_of(r.reset_at))).all()
        return texts([row[0] for row in rows]), day_numbers([row[1] for row in rows])

    def removals(self) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_]]:
        """``(customer_id, category)`` of every removed interest."""
        r = removed_interests.c
        with self._db.connect() as conn:
            rows = conn.execute(select(r.customer_id, r.category)).all()
        return texts([row[0] for row in rows]), texts([row[1] for row in rows])

    def reset_at(self, customer_id: str, *, conn: Connection | None = None) -> datetime | None:
        """When the customer last reset their interests (``None``: never)."""
        r = personalization_resets.c
        query = select(r.reset_at).where(r.customer_id == customer_id)
        if conn is None:
            with self._db.connect() as own:
                value = own.execute(query).scalar_one_or_none()
        else:
            value = conn.execute(query).scalar_one_or_none()
        return value if isinstance(value, datetime) or value is None else None

    def removed(
        self, customer_id: str, *, conn: Connection | None = None
    ) -> list[tuple[str, datetime]]:
        """``(category, removed_at)`` of the customer's removed interests, by category."""
        r = removed_interests.c
        query = (
            select(r.category, r.removed_at)
            .where(r.customer_id == customer_id)
            .order_by(r.category)
        )
        if conn is None:
            with self._db.connect() as own:
                rows = own.execute(query).all()
        else:
            rows = conn.execute(query).all()
        return [(str(row[0]), row[1]) for row in rows]

    def reset(self, customer_id: str, at: datetime, *, conn: Connection | None = None) -> None:
        """Record "reset all": purchases before ``at`` stop shaping the interests."""
        r = personalization_resets
        with transaction(self._db, conn) as c:
            c.execute(delete(r).where(r.c.customer_id == customer_id))
            c.execute(insert(r).values(customer_id=customer_id, reset_at=at))

    def remove_interest(
        self, customer_id: str, category: str, at: datetime, *, conn: Connection | None = None
    ) -> bool:
        """Record that ``category`` no longer counts as an interest; False if it already did not."""
        r = removed_interests
        with transaction(self._db, conn) as c:
            exists = c.execute(
                select(r.c.category).where(r.c.customer_id == customer_id, r.c.category == category)
            ).first()
            if exists is not None:
                return False
            c.execute(insert(r).values(customer_id=customer_id, category=category, removed_at=at))
        return True

    # --- editorial ----------------------------------------------------------------------------

    def editorial(self, *, conn: Connection | None = None) -> EditorialPicks:
        """The editorial picks in order."""
        e = editorial_picks.c
        query = select(e.product_id, e.share, e.updated_at).order_by(e.position)
        if conn is None:
            with self._db.connect() as own:
                rows = own.execute(query).all()
        else:
            rows = conn.execute(query).all()
        if not rows:
            return EditorialPicks([], None, None)
        share = rows[0][1]
        return EditorialPicks(
            [str(r[0]) for r in rows], None if share is None else float(share), rows[0][2]
        )

    def put_editorial(self, product_ids: Sequence[str], share: float | None, at: datetime) -> None:
        """Replace the editorial picks (an empty list removes them all)."""
        rows = [
            {"position": i, "product_id": pid, "share": share, "updated_at": at}
            for i, pid in enumerate(product_ids)
        ]
        with self._db.begin() as conn:
            conn.execute(delete(editorial_picks))
            if rows:
                conn.execute(insert(editorial_picks), rows)
