"""Layouts and column maps: which column holds which field."""

from __future__ import annotations

import pytest

from kunde.errors import InputError, UnreadableFileError
from kunde.orders import FORMATS, ORDER_FIELDS, parse_mapping, resolve_columns

UCI = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]


def test_online_retail_layout_finds_every_column() -> None:
    found = resolve_columns(
        UCI, ORDER_FIELDS, source="f.csv", defaults=FORMATS["online-retail"].columns
    )
    assert found == {
        "order_id": 0,
        "product_id": 1,
        "product_name": 2,
        "quantity": 3,
        "ordered_at": 4,
        "unit_price": 5,
        "customer_id": 6,
        "country": 7,
    }


def test_header_names_match_ignoring_case_and_spaces() -> None:
    found = resolve_columns([" Customer_ID ", "ORDERED_AT", "Amount"], ORDER_FIELDS, source="f.csv")
    assert found == {"customer_id": 0, "ordered_at": 1, "amount": 2}


def test_mapping_wins_over_the_layout() -> None:
    header = ["kunde", "datum", "summe", "ordered_at"]
    mapping = parse_mapping(["customer_id=kunde", "ordered_at=datum", "amount=summe"])
    found = resolve_columns(header, ORDER_FIELDS, source="f.csv", mapping=mapping)
    assert found == {"customer_id": 0, "ordered_at": 1, "amount": 2}


@pytest.mark.parametrize("item", ["customer_id", "=kunde", "customer_id="])
def test_mapping_items_need_field_and_column(item: str) -> None:
    with pytest.raises(InputError, match="FIELD=COLUMN"):
        parse_mapping([item])


def test_unknown_field_and_missing_columns_are_explained() -> None:
    with pytest.raises(InputError, match="unknown field 'colour'"):
        resolve_columns(["a"], ORDER_FIELDS, source="f.csv", mapping={"colour": "a"})
    with pytest.raises(UnreadableFileError, match="no column 'Kunde' \\(mapped to customer_id\\)"):
        resolve_columns(["a"], ORDER_FIELDS, source="f.csv", mapping={"customer_id": "Kunde"})
    with pytest.raises(UnreadableFileError, match="columns 'customer_id' and 'ordered_at'"):
        resolve_columns(["a"], ORDER_FIELDS, source="f.csv", required=("customer_id", "ordered_at"))
    with pytest.raises(UnreadableFileError, match="'unit_price' or 'amount'"):
        resolve_columns(
            ["customer_id", "ordered_at"],
            ORDER_FIELDS,
            source="f.csv",
            one_of=(("unit_price", "amount"),),
        )
