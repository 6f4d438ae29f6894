"""The public names of kunde.orders are deliberate."""

from __future__ import annotations

import kunde.orders


def test_public_names() -> None:
    assert sorted(kunde.orders.__all__) == [
        "ADJUSTMENT_CODES",
        "EVENT_FIELDS",
        "FEE_CODES",
        "FORMATS",
        "Format",
        "ImportSummary",
        "KINDS",
        "LINE_COLUMNS",
        "LineIn",
        "Lines",
        "ORDER_FIELDS",
        "OrderIn",
        "OrdersResult",
        "PRODUCT_FIELDS",
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
    for name in kunde.orders.__all__:
        assert getattr(kunde.orders, name) is not None
