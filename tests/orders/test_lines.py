"""Order line rules, one Online Retail quirk per test, on a small fixture (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kunde.orders import FORMATS, ORDER_FIELDS, Lines, SourceFile, normalise_lines, resolve_columns

FIXTURES = Path(__file__).parent / "fixtures"


def normalise(name: str, fmt: str = "canonical", mapping: dict[str, str] | None = None) -> Lines:
    source = SourceFile(FIXTURES / name, 10_000)
    columns = resolve_columns(
        source.header,
        ORDER_FIELDS,
        source=name,
        defaults=FORMATS[fmt].columns,
        mapping=mapping,
        required=("customer_id", "ordered_at"),
    )
    (batch,) = list(source.batches())
    return normalise_lines(batch, columns, FORMATS[fmt], "EUR")


@pytest.fixture(scope="module")
def quirks() -> Lines:
    return normalise("online_retail_quirks.csv", "online-retail")


def rows(lines: Lines, **match: Any) -> list[dict[str, Any]]:
    found = []
    for row, line in zip(lines.table.to_pylist(), lines.lines.tolist(), strict=True):
        if all(row[k] == v for k, v in match.items()):
            found.append({**row, "line": line})
    return found


def test_cancellations_are_negative_lines_with_negative_amounts(quirks: Lines) -> None:
    (cancel,) = rows(quirks, order_id="C536379")
    assert cancel["quantity"] == -2 and cancel["amount"] == pytest.approx(-5.1)
    assert cancel["kind"] == "product" and cancel["customer_id"] == "17850"


def test_missing_customer_is_an_anonymous_line_that_is_kept(quirks: Lines) -> None:
    (anonymous,) = rows(quirks, order_id="536380")
    assert anonymous["customer_id"] is None
    assert anonymous["kind"] == "product" and anonymous["amount"] == pytest.approx(34.8)


def test_zero_price_lines_are_kept(quirks: Lines) -> None:
    (free,) = rows(quirks, order_id="536381")
    assert free["unit_price"] == 0.0 and free["amount"] == 0.0 and free["kind"] == "product"


def test_stock_adjustment_without_customer_and_price_is_an_adjustment(quirks: Lines) -> None:
    (stock,) = rows(quirks, order_id="536414")
    assert stock["kind"] == "adjustment" and stock["product_kind"] == "product"


def test_negative_price_on_a_product_line_is_rejected_with_a_reason(quirks: Lines) -> None:
    (reject,) = [r for r in quirks.rejects if r.line == 14]
    assert reject.reason == (
        "unit_price -1.50 is negative; only fees and adjustments may be negative"
    )
    assert reject.values[:2] == ["536401", "22900"]


def test_negative_price_on_bad_debt_adjustment_is_kept(quirks: Lines) -> None:
    (bad_debt,) = rows(quirks, product_id="B")
    assert bad_debt["kind"] == "adjustment" and bad_debt["unit_price"] == -11062.06


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("POST", "fee"),
        ("DOT", "fee"),
        ("C2", "fee"),
        ("BANK CHARGES", "fee"),
        ("AMAZONFEE", "fee"),
        ("CRUK", "fee"),
        ("gift_0001_20", "fee"),
        ("M", "adjustment"),
        ("m", "adjustment"),
        ("D", "adjustment"),
        ("B", "adjustment"),
        ("S", "adjustment"),
        ("PADS", "adjustment"),
        ("85123A", "product"),
    ],
)
def test_non_product_codes_are_marked(quirks: Lines, code: str, kind: str) -> None:
    found = rows(quirks, product_id=code)
    assert found and {r["kind"] for r in found} == {kind}
    assert {r["product_kind"] for r in found} == {kind}


def test_duplicated_lines_get_the_same_key(quirks: Lines) -> None:
    warmers = rows(quirks, order_id="536366")
    assert len(warmers) == 2 and warmers[0]["line_key"] == warmers[1]["line_key"]
    assert len(set(quirks.table.column("line_key").to_pylist())) == quirks.table.num_rows - 1


def test_unparseable_quantities_and_dates_are_rejected(quirks: Lines) -> None:
    reasons = {r.line: r.reason for r in quirks.rejects}
    assert reasons[20] == "quantity 'abc' is not a whole number"
    assert reasons[21].startswith("ordered_at '2010-13-45 99:00:00' is not a date or date-time")
    assert sorted(reasons) == [14, 20, 21]
    assert quirks.table.num_rows + len(quirks.rejects) == 25


def test_online_retail_lines_are_in_pounds(quirks: Lines) -> None:
    assert set(quirks.table.column("currency").to_pylist()) == {"GBP"}


def test_canonical_file_defaults_and_time_zones() -> None:
    lines = normalise("canonical.csv")
    assert lines.rejects == []
    table = {(r["order_id"], r["product_id"]): r for r in lines.table.to_pylist()}
    assert table[("A1", "P2")]["is_gift"] is True
    assert table[("A2", "P1")]["is_gift"] is False
    assert str(table[("A2", "P1")]["ordered_at"]) == "2024-03-02 00:00:00"
    assert str(table[("A4", "P1")]["ordered_at"]) == "2024-03-05 08:00:00"  # +01:00 -> UTC
    assert table[("A3", "P3")]["customer_id"] is None
    assert table[("A1", "P1")]["currency"] == "EUR" and table[("A1", "P1")]["channel"] == "web"


def test_order_level_rows_with_mapped_columns_and_derived_order_ids() -> None:
    lines = normalise(
        "cdnow.csv",
        mapping={"ordered_at": "date", "quantity": "number_of_cds", "amount": "dollar_value"},
    )
    assert lines.rejects == []
    found = lines.table.to_pylist()
    assert [r["order_id"] for r in found][:3] == [
        "00001@1997-01-01T00:00:00",
        "00002@1997-01-12T00:00:00",
        "00002@1997-01-12T00:00:00",
    ]
    assert all(r["product_id"] is None and r["kind"] == "product" for r in found)
    assert [r["amount"] for r in found] == [11.77, 12.0, 77.0, 20.76, 20.76]
    assert found[2]["quantity"] == 5 and found[2]["unit_price"] is None
    assert len({r["line_key"] for r in found}) == 5
