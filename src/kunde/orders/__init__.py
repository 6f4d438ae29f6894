"""Orders and their lines: model, readers (csv, csv.gz, parquet), formats, column maps, rejects.

Pure domain code (numpy/pyarrow, no database): a :class:`SourceFile` yields text batches,
:func:`normalise_lines` turns them into checked, classified and keyed order lines plus
rejects with reasons; :class:`RejectFile` writes the rejects. The store persists the result.
"""

from __future__ import annotations

from kunde.orders._formats import (
    EVENT_FIELDS,
    FORMATS,
    ORDER_FIELDS,
    PRODUCT_FIELDS,
    Format,
    parse_mapping,
    resolve_columns,
)
from kunde.orders._kinds import ADJUSTMENT_CODES, FEE_CODES, KINDS, product_kinds
from kunde.orders._line_key import line_keys
from kunde.orders._lines import LINE_COLUMNS, Lines, normalise_lines
from kunde.orders._model import ImportSummary, LineIn, OrderIn, OrdersResult
from kunde.orders._reader import RawBatch, Reject, SourceFile
from kunde.orders._records import Records, normalise_events, normalise_products
from kunde.orders._rejects import RejectFile

__all__ = [
    "ADJUSTMENT_CODES",
    "EVENT_FIELDS",
    "FEE_CODES",
    "FORMATS",
    "KINDS",
    "LINE_COLUMNS",
    "ORDER_FIELDS",
    "PRODUCT_FIELDS",
    "Format",
    "ImportSummary",
    "LineIn",
    "Lines",
    "OrderIn",
    "OrdersResult",
    "RawBatch",
    "Records",
    "Reject",
    "RejectFile",
    "SourceFile",
    "line_keys",
    "normalise_events",
    "normalise_lines",
    "normalise_products",
    "parse_mapping",
    "product_kinds",
    "resolve_columns",
]
