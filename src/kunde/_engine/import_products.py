"""The products named by a batch of order lines, and what a file import has already sent of them."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ProductsSent", "product_table", "products_of"]

_FILLED = ("name", "category", "brand")
"""Product fields a later line can still fill in (the store keeps the first it is given)."""


def product_table(lines: pa.Table) -> pa.Table:
    """One row per product id of ``lines``: ``product_id``, ``name``, ``category``, ``brand``
    and ``kind``, the first of each field the lines give in their order (so a file names its
    products the same whichever lines share a batch) and the kind ``product`` over the others.
    """
    table = lines.filter(pc.is_valid(lines["product_id"]))
    # Stock corrections carry notes ("damaged", "?") instead of product names.
    correction = pc.and_(
        pc.equal(table["kind"], "adjustment"), pc.equal(table["product_kind"], "product")
    )
    described = {"product_id": table["product_id"], "product_kind": table["product_kind"]}
    for name in ("product_name", "category", "brand"):
        column = table[name]
        described[name] = pc.if_else(correction, pa.scalar(None, column.type), column)
    grouped = (
        pa.table(described)
        .group_by("product_id", use_threads=False)
        .aggregate(
            [(f, "first") for f in ("product_name", "category", "brand")]
            + [("product_kind", "max")]
        )
    )
    return pa.table(
        {
            "product_id": grouped["product_id"],
            "name": grouped["product_name_first"],
            "category": grouped["category_first"],
            "brand": grouped["brand_first"],
            "kind": grouped["product_kind_max"],
        }
    )


def products_of(lines: pa.Table) -> list[dict[str, Any]]:
    """:func:`product_table` as rows for :meth:`kunde.store.orders.OrderRepository.ingest`."""
    rows: list[dict[str, Any]] = product_table(lines).to_pylist()
    return rows


class ProductsSent:
    """The products a file import has sent to the store so far, and which of their names,
    categories and brands.

    The store inserts a missing product and fills in only fields it has none of, so a product
    sent before changes only by a field that was missing then: :meth:`new` keeps the rows that
    can still change something and drops the others before they reach the database.
    """

    def __init__(self) -> None:
        self._ids: dict[str, pa.Array] = {}

    def new(self, products: pa.Table) -> pa.Table:
        """The rows of ``products`` (a :func:`product_table`) that can change the store."""
        ids = products["product_id"]
        if not self._ids:
            empty = pa.array([], type=ids.type)
            self._ids = {field: empty for field in ("product_id", *_FILLED)}
        keep = pc.invert(pc.is_in(ids, value_set=self._ids["product_id"]))
        for field in _FILLED:
            unfilled = pc.invert(pc.is_in(ids, value_set=self._ids[field]))
            keep = pc.or_(keep, pc.and_(pc.is_valid(products[field]), unfilled))
        kept = products.filter(keep)
        self._add("product_id", kept["product_id"])
        for field in _FILLED:
            self._add(field, kept.filter(pc.is_valid(kept[field]))["product_id"])
        return kept

    def _add(self, field: str, ids: pa.ChunkedArray) -> None:
        if len(ids):
            combined = pa.chunked_array([self._ids[field], *ids.chunks], type=ids.type)
            self._ids[field] = pc.unique(combined.combine_chunks())
