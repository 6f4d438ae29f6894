"""File layouts: which column holds which field, for the canonical layout and known exports.

A *field* is kunde's name for a value (``ordered_at``); a *column* is the header name in the
file (``InvoiceDate``). A :class:`Format` maps fields to columns; ``--map FIELD=COLUMN`` overrides
single fields for any other layout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kunde.errors import InputError, UnreadableFileError

__all__ = [
    "EVENT_FIELDS",
    "FORMATS",
    "ORDER_FIELDS",
    "PRODUCT_FIELDS",
    "Format",
    "parse_mapping",
    "resolve_columns",
]

ORDER_FIELDS: tuple[str, ...] = (
    "customer_id",
    "ordered_at",
    "order_id",
    "product_id",
    "quantity",
    "unit_price",
    "amount",
    "currency",
    "product_name",
    "category",
    "brand",
    "channel",
    "store_id",
    "country",
    "is_gift",
)
"""Fields of an order line file (DESIGN.md "Input formats")."""

PRODUCT_FIELDS: tuple[str, ...] = (
    "product_id",
    "name",
    "category",
    "brand",
    "price",
    "released_at",
    "description",
)
"""Fields of a products file."""

EVENT_FIELDS: tuple[str, ...] = (
    "event_id",
    "occurred_at",
    "type",
    "customer_id",
    "anonymous_id",
    "touchpoint",
    "device_id",
    "product_id",
    "properties",
)
"""Fields of an events file."""


@dataclass(frozen=True)
class Format:
    """A file layout.

    Attributes:
        name: as given to ``--format``.
        columns: field -> column header; fields missing here default to the field's own name.
        currency: currency of lines that name none (``None``: the configured default).
        date_formats: ``strptime`` formats tried after ISO 8601.
        whole_number_ids: fields whose values may be written as floats (``17850.0``) by
            spreadsheet exports; the ``.0`` is dropped.
    """

    name: str
    columns: Mapping[str, str] = field(default_factory=dict)
    currency: str | None = None
    date_formats: tuple[str, ...] = ()
    whole_number_ids: tuple[str, ...] = ()


_COMMON_DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
)

FORMATS: dict[str, Format] = {
    "canonical": Format("canonical", date_formats=_COMMON_DATE_FORMATS),
    "online-retail": Format(
        "online-retail",
        columns={
            "order_id": "InvoiceNo",
            "product_id": "StockCode",
            "product_name": "Description",
            "quantity": "Quantity",
            "ordered_at": "InvoiceDate",
            "unit_price": "UnitPrice",
            "customer_id": "CustomerID",
            "country": "Country",
        },
        currency="GBP",
        # The UCI original writes 12/1/2010 8:26 (month first).
        date_formats=("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y"),
        whole_number_ids=("customer_id",),
    ),
}
"""Layouts ``kunde import orders --format`` knows."""


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """Parse ``FIELD=COLUMN`` items from the command line.

    Raises:
        InputError: an item has no ``=``.
    """
    mapping: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise InputError(f"--map expects FIELD=COLUMN, not {item!r}.")
        mapping[name.strip()] = column.strip()
    return mapping


def resolve_columns(
    header: Sequence[str],
    fields: Sequence[str],
    *,
    source: str,
    defaults: Mapping[str, str] | None = None,
    mapping: Mapping[str, str] | None = None,
    required: Sequence[str] = (),
    one_of: Sequence[Sequence[str]] = (),
) -> dict[str, int]:
    """Find the column of each field in a file's header.

    Header names match case-insensitively and ignoring surrounding spaces.

    Args:
        header: the file's column names, in order.
        fields: the fields this kind of file has.
        source: the file name, for messages.
        defaults: field -> column of the file's format.
        mapping: field -> column given by the user; wins over ``defaults``.
        required: fields that must have a column.
        one_of: groups of fields of which at least one must have a column.

    Returns:
        field -> index of its column in ``header`` (fields without a column are left out).

    Raises:
        InputError: ``mapping`` names a field that does not exist.
        UnreadableFileError: a required or mapped column is missing.
    """
    mapping = dict(mapping or {})
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        raise InputError(
            f"--map names unknown field {unknown[0]!r}; the fields are: {', '.join(fields)}."
        )
    wanted = {f: f for f in fields}
    wanted.update(defaults or {})
    wanted.update(mapping)
    positions = {name.strip().lower(): i for i, name in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    for name, column in wanted.items():
        index = positions.get(column.strip().lower())
        if index is not None:
            found[name] = index
        elif name in mapping:
            raise UnreadableFileError(
                f"{source} has no column {column!r} (mapped to {name}); its columns are: "
                f"{', '.join(header)}."
            )
    missing = [f for f in required if f not in found]
    if missing:
        quoted = [repr(wanted[f]) for f in missing]
        columns = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
        plural = "s" if len(quoted) > 1 else ""
        raise UnreadableFileError(
            f"{source} has no column{plural} {columns}, which kunde needs; its columns are: "
            f"{', '.join(header)}. Name the right column with --map FIELD=COLUMN."
        )
    for group in one_of:
        if not any(f in found for f in group):
            names = " or ".join(repr(wanted[f]) for f in group)
            raise UnreadableFileError(
                f"{source} needs a column {names}; its columns are: {', '.join(header)}."
            )
    return found
