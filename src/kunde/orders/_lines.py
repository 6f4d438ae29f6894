"""From text rows to order lines: parse, check, derive, classify, key — for a whole batch.

The result is an Arrow table with one row per valid line in the columns the store keeps, and
the rejected lines with a reason a shop owner understands. Rules (DESIGN.md "Input formats"):

* ``customer_id`` may be empty: an anonymous order (kept: it still shows what sells together).
* ``order_id`` absent: derived from customer and time (``C17850@2010-12-01T08:26:00``).
* ``product_id`` absent: an order-level row (e.g. CDNOW) that needs an ``amount``.
* ``quantity`` defaults to 1; negative quantities are returns or cancellations; 0 is refused.
* ``amount`` is ``quantity * unit_price`` when there is a unit price; a return's amount is
  negative.
* negative prices are refused on product lines; fees and adjustments may be negative.
* ``kind``: ``fee`` / ``adjustment`` for non-product codes (see :mod:`._kinds`), and
  ``adjustment`` for stock corrections (price 0 and no customer); ``product`` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from kunde.orders._formats import ORDER_FIELDS, Format
from kunde.orders._kinds import KINDS, product_kinds
from kunde.orders._line_key import line_keys
from kunde.orders._reader import RawBatch, Reject
from kunde.orders._values import (
    Reasons,
    clean_text,
    mask,
    parse_bool,
    parse_float,
    parse_int,
    parse_timestamp,
    too_long,
)

__all__ = ["LINE_COLUMNS", "Lines", "normalise_lines"]

LINE_COLUMNS: tuple[str, ...] = (
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
    "country",
    "product_kind",
    "product_name",
    "category",
    "brand",
)
"""Columns of :attr:`Lines.table`."""

_LIMITS = {
    "order_id": 64,
    "customer_id": 64,
    "product_id": 64,
    "channel": 32,
    "store_id": 64,
    "country": 64,
    "product_name": 500,
    "category": 500,
    "brand": 200,
}
_MAX_QUANTITY = 1_000_000
_MAX_PRICE = 1e9
_YEARS = (1900, 2199)


@dataclass
class Lines:
    """Valid lines of a batch (:data:`LINE_COLUMNS`), their line numbers, and the rejects."""

    table: pa.Table
    lines: NDArray[np.int64]
    rejects: list[Reject]


def normalise_lines(
    batch: RawBatch, columns: Mapping[str, int], fmt: Format, default_currency: str
) -> Lines:
    """Parse and check one batch of order line rows.

    Args:
        batch: text rows from a :class:`~kunde.orders._reader.SourceFile`.
        columns: field -> column index (from :func:`~kunde.orders.resolve_columns`).
        fmt: the file's layout.
        default_currency: currency of lines that name none and whose format names none.

    Returns:
        The valid lines and the rejected ones.
    """
    n = len(batch)
    null_text = pa.nulls(n, pa.string())

    def text(field: str) -> pa.Array:
        if field not in columns:
            return null_text
        values = clean_text(batch.columns[columns[field]])
        if field in fmt.whole_number_ids and pc.any(pc.match_substring(values, ".")).as_py():
            values = pc.replace_substring_regex(values, r"^([0-9]+)\.0+$", r"\1")
        return values

    raw = {field: text(field) for field in (*_LIMITS, "ordered_at", "quantity")}
    raw.update({f: text(f) for f in ("unit_price", "amount", "currency", "is_gift")})
    reasons = Reasons(n)
    describe = _describe(reasons)

    ordered_at, bad_time = parse_timestamp(raw["ordered_at"], fmt.date_formats)
    reasons.add(mask(pc.is_null(raw["ordered_at"])), "ordered_at is empty")
    reasons.add(
        bad_time,
        describe(
            raw["ordered_at"],
            "ordered_at '{value}' is not a date or date-time such as 2024-03-01 or "
            "2024-03-01 14:30",
        ),
    )
    year = pc.year(pc.fill_null(ordered_at, pa.scalar(0, pa.timestamp("us"))))
    implausible = mask(pc.or_(pc.less(year, _YEARS[0]), pc.greater(year, _YEARS[1])))
    reasons.add(
        implausible & mask(pc.is_valid(ordered_at)),
        describe(raw["ordered_at"], "ordered_at '{value}' is not a plausible date"),
    )

    quantity, bad_quantity = parse_int(raw["quantity"])
    reasons.add(bad_quantity, describe(raw["quantity"], "quantity '{value}' is not a whole number"))
    quantity = pc.fill_null(quantity, 1)
    reasons.add(mask(pc.equal(quantity, 0)), "quantity is 0: nothing was bought or returned")
    reasons.add(
        mask(pc.greater(pc.abs(quantity), _MAX_QUANTITY)),
        describe(raw["quantity"], "quantity {value} is more than 1,000,000"),
    )

    unit_price, bad_price = parse_float(raw["unit_price"])
    amount_given, bad_amount = parse_float(raw["amount"])
    reasons.add(bad_price, describe(raw["unit_price"], "unit_price '{value}' is not a number"))
    reasons.add(bad_amount, describe(raw["amount"], "amount '{value}' is not a number"))
    reasons.add(
        mask(pc.and_(pc.is_null(unit_price), pc.is_null(amount_given))),
        "the line has neither a unit_price nor an amount",
    )
    reasons.add(
        mask(pc.greater(pc.abs(unit_price), _MAX_PRICE)),
        describe(raw["unit_price"], "unit_price {value} is more than 1,000,000,000"),
    )
    reasons.add(
        mask(pc.greater(pc.abs(amount_given), _MAX_PRICE * 1000)),
        describe(raw["amount"], "amount {value} is more than 1,000,000,000,000"),
    )

    product_id = raw["product_id"]
    product_kind = product_kinds(product_id)
    is_product = product_kind == 0
    reasons.add(
        is_product & mask(pc.less(unit_price, 0)),
        describe(
            raw["unit_price"],
            "unit_price {value} is negative; only fees and adjustments may be negative",
        ),
    )
    reasons.add(
        is_product
        & mask(pc.and_(pc.is_null(unit_price), pc.less(amount_given, 0)))
        & mask(pc.greater(quantity, 0)),
        describe(raw["amount"], "amount {value} is negative for a purchase"),
    )

    for field, limit in _LIMITS.items():
        reasons.add(too_long(raw[field], limit), f"{field} is longer than {limit} characters")
    currency = pc.utf8_upper(raw["currency"])
    reasons.add(
        mask(pc.invert(pc.fill_null(pc.match_substring_regex(currency, r"^[A-Z]{3}$"), True))),
        describe(raw["currency"], "currency '{value}' is not a three-letter code such as EUR"),
    )
    is_gift, bad_gift = parse_bool(raw["is_gift"])
    reasons.add(bad_gift, describe(raw["is_gift"], "is_gift '{value}' is not true or false"))

    keep = ~reasons.bad
    rejects = list(batch.rejects)
    if reasons.bad.any():
        rows = np.flatnonzero(reasons.bad)
        for row, values in zip(rows.tolist(), batch.originals(rows), strict=True):
            reason = reasons.text[row]
            rejects.append(Reject(int(batch.lines[row]), reason, values, _field_of(reason)))
        rejects.sort(key=lambda r: r.line)
    selector = pa.array(keep)

    def kept(array: pa.Array) -> pa.Array:
        return array.filter(selector) if not keep.all() else array

    ordered_at = kept(ordered_at)
    quantity = kept(quantity)
    unit_price = kept(unit_price)
    amount_given = kept(amount_given)
    customer_id = kept(raw["customer_id"])
    product_id = kept(product_id)
    product_kind = product_kind[keep]
    order_id = kept(raw["order_id"])
    if order_id.null_count:
        stamp = pc.utf8_slice_codeunits(ordered_at.cast(pa.string()), 0, 19)
        derived = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(pc.fill_null(customer_id, "anonymous"), 0, 44),
            pc.replace_substring(stamp, " ", "T"),
            "@",
        )
        order_id = pc.coalesce(order_id, derived)

    quantity_float = quantity.cast(pa.float64())
    returned_amount = pc.if_else(
        pc.and_(pc.less(quantity, 0), pc.greater(amount_given, 0)),
        pc.negate(amount_given),
        amount_given,
    )
    amount = pc.coalesce(pc.multiply(quantity_float, unit_price), returned_amount)
    stock_correction = (
        (product_kind == 0)
        & mask(pc.is_null(customer_id))
        & mask(pc.equal(pc.coalesce(unit_price, amount), 0.0))
    )
    kind_names = pa.array(KINDS)
    kind = kind_names.take(pa.array(np.where(stock_correction, 2, product_kind)))
    price_for_key = pc.coalesce(unit_price, amount).to_numpy(zero_copy_only=False)
    keys = line_keys(
        order_id,
        product_id,
        customer_id,
        ordered_at.cast(pa.int64()).to_numpy(zero_copy_only=False),
        quantity.to_numpy(zero_copy_only=False),
        np.asarray(price_for_key, dtype=np.float64),
    )
    currency = pc.coalesce(kept(currency), pa.scalar(fmt.currency or default_currency))
    table = pa.table(
        {
            "line_key": pa.array(keys, pa.int64()),
            "order_id": order_id,
            "customer_id": customer_id,
            "product_id": product_id,
            "ordered_at": ordered_at,
            "quantity": quantity,
            "unit_price": unit_price,
            "amount": amount,
            "currency": currency,
            "channel": kept(raw["channel"]),
            "store_id": kept(raw["store_id"]),
            "is_gift": pc.fill_null(kept(is_gift), False),
            "kind": kind,
            "country": kept(raw["country"]),
            "product_kind": kind_names.take(pa.array(product_kind)),
            "product_name": kept(raw["product_name"]),
            "category": kept(raw["category"]),
            "brand": kept(raw["brand"]),
        }
    )
    return Lines(table, batch.lines[keep], rejects)


def _field_of(reason: str) -> str | None:
    """The field a reason is about: reasons start with the field's name."""
    word = reason.split(" ", 1)[0]
    if word in ORDER_FIELDS:
        return word
    return "unit_price" if "unit_price" in reason else None


Describe = Callable[[NDArray[np.intp]], list[str]]


def _describe(reasons: Reasons) -> Callable[[pa.Array, str], Describe]:
    """Reasons that quote the offending value: ``template.format(value=...)``."""

    def bind(column: pa.Array, template: str) -> Describe:
        def describe(rows: NDArray[np.intp]) -> list[str]:
            return [template.format(value=v) for v in reasons.values(column, rows)]

        return describe

    return bind
