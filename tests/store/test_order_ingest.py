"""Ingest contract, run on SQLite and PostgreSQL: files and API payloads in, nothing lost."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kunde.catalog import ProductIn
from kunde.engine import Engine
from kunde.errors import ConflictError, InvalidFieldError, NotFoundError, UnreadableFileError
from kunde.identity import EventIn
from kunde.orders import LineIn, OrderIn
from kunde.store.tables import (
    customer_days,
    customer_summaries,
    customers,
    events,
    identifiers,
    import_runs,
    order_lines,
    orders,
    products,
)

FIXTURES = Path(__file__).parents[1] / "orders" / "fixtures"


def table(engine: Engine, t, *where) -> list[dict]:  # type: ignore[no-untyped-def]
    with engine.store.db.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(t).where(*where))]


def test_online_retail_quirks_are_stored_and_summarised(any_engine: Engine) -> None:
    summary = any_engine.import_orders(
        FIXTURES / "online_retail_quirks.csv", format="online-retail"
    )
    assert (summary.read, summary.imported, summary.rejected, summary.duplicates) == (25, 21, 3, 1)
    assert summary.reject_file is not None
    with summary.reject_file.open(encoding="utf-8") as f:
        rejected = list(csv.DictReader(f))
    assert [r["line"] for r in rejected] == ["14", "20", "21"]
    assert rejected[1]["reason"] == "quantity 'abc' is not a whole number"
    assert rejected[1]["Quantity"] == "abc" and rejected[1]["InvoiceNo"] == "536407"

    lines = {(r["order_id"], r["product_id"]): r for r in table(any_engine, order_lines)}
    assert len(lines) == 21
    original = lines[("536365", "85123A")]
    cancel = lines[("C536379", "85123A")]
    assert cancel["return_of"] == original["line_key"]
    assert original["returned_quantity"] == 2
    assert lines[("C536409", "99999")]["return_of"] is None
    assert lines[("536380", "22961")]["customer_id"] is None
    kinds = [r["kind"] for r in lines.values()]
    assert (kinds.count("product"), kinds.count("fee"), kinds.count("adjustment")) == (7, 7, 7)

    (anonymous,) = table(any_engine, orders, orders.c.order_id == "536380")
    assert anonymous["customer_id"] is None and anonymous["source"] == "import"
    assert anonymous["country"] == "United Kingdom" and anonymous["currency"] == "GBP"

    (day,) = table(any_engine, customer_days, customer_days.c.customer_id == "17850")
    assert day["day"] == date(2010, 12, 1)
    assert day["purchased"] == pytest.approx(46.74) and day["returned"] == pytest.approx(-6.1)
    assert day["purchase_lines"] == 3
    (s,) = table(any_engine, customer_summaries, customer_summaries.c.customer_id == "17850")
    assert (s["first_purchase_day"], s["last_purchase_day"], s["purchase_days"]) == (
        date(2010, 12, 1),
        date(2010, 12, 1),
        1,
    )
    assert s["net_revenue"] == pytest.approx(40.64)
    # fees and adjustments are stored but make no purchase summary
    assert table(any_engine, customer_summaries, customer_summaries.c.customer_id == "15823") == []
    assert table(any_engine, customers, customers.c.customer_id == "15823") != []

    product = any_engine.get_product("85123A")
    assert product["name"] == "WHITE HANGING HEART T-LIGHT HOLDER" and product["kind"] == "product"
    assert any_engine.get_product("POST")["kind"] == "fee"
    assert any_engine.get_product("22139")["name"] == "RETROSPOT TEA SET CERAMIC 11 PC"

    summary_of = any_engine.store.orders.customer_summary("17850")
    assert summary_of is not None
    assert summary_of["orders"] == 4 and summary_of["purchase_days"] == 1
    assert summary_of["net_revenue"] == pytest.approx(40.64)
    assert any_engine.store.orders.customer_summary("nobody") is None

    (run,) = table(any_engine, import_runs)
    assert (run["kind"], run["read"], run["imported"], run["rejected"]) == ("orders", 25, 21, 3)


def test_importing_again_finds_only_duplicates(any_engine: Engine) -> None:
    path = FIXTURES / "online_retail_quirks.csv"
    any_engine.import_orders(path, format="online-retail")
    before = table(any_engine, customer_summaries)
    again = any_engine.import_orders(path, format="online-retail")
    assert (again.read, again.imported, again.rejected, again.duplicates) == (25, 0, 3, 22)
    assert len(table(any_engine, order_lines)) == 21
    assert [
        (r["customer_id"], r["net_revenue"]) for r in table(any_engine, customer_summaries)
    ] == [(r["customer_id"], r["net_revenue"]) for r in before]
    (original,) = table(
        any_engine,
        order_lines,
        order_lines.c.order_id == "536365",
        order_lines.c.product_id == "85123A",
    )
    assert original["returned_quantity"] == 2


def test_small_batches_give_the_same_result(any_engine: Engine) -> None:
    any_engine.settings.import_batch_rows = 4
    summary = any_engine.import_orders(
        FIXTURES / "online_retail_quirks.csv", format="online-retail"
    )
    assert (summary.read, summary.imported, summary.rejected, summary.duplicates) == (25, 21, 3, 1)
    (s,) = table(any_engine, customer_summaries, customer_summaries.c.customer_id == "17850")
    assert s["net_revenue"] == pytest.approx(40.64) and s["purchase_days"] == 1


def test_order_level_rows_and_summaries_over_days(any_engine: Engine) -> None:
    summary = any_engine.import_orders(
        FIXTURES / "cdnow.csv",
        mapping={"ordered_at": "date", "quantity": "number_of_cds", "amount": "dollar_value"},
    )
    assert (summary.imported, summary.rejected) == (5, 0)
    (s,) = table(any_engine, customer_summaries, customer_summaries.c.customer_id == "00003")
    assert s["purchase_days"] == 2 and s["net_revenue"] == pytest.approx(41.52)
    assert s["last_purchase_day"] == date(1997, 3, 30)
    assert any_engine.store.orders.customer_summary("00002")["orders"] == 1  # type: ignore[index]


def test_unreadable_file_writes_nothing(any_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("who,when\nc1,2024-01-01\n")
    with pytest.raises(UnreadableFileError, match="ordered_at"):
        any_engine.import_orders(path)
    assert table(any_engine, import_runs) == []
    assert not (any_engine.settings.data_dir / "rejects").exists()


def order(order_id: str, *lines: LineIn, customer: str | None = "c1") -> OrderIn:
    return OrderIn(
        order_id=order_id,
        customer_id=customer,
        ordered_at=datetime(2024, 5, 1, 12, 0),
        channel="web",
        lines=list(lines),
    )


def test_add_orders_is_idempotent_and_refuses_changed_orders(any_engine: Engine) -> None:
    first = order(
        "W1",
        LineIn(product_id="P1", quantity=2, unit_price=5.0),
        LineIn(product_id="P2", unit_price=1.0),
    )
    result = any_engine.add_orders([first, order("W2", LineIn(product_id="P1", unit_price=5.0))])
    assert result.created == ["W1", "W2"] and result.unchanged == []
    again = any_engine.add_orders([first])
    assert again.created == [] and again.unchanged == ["W1"]
    changed = order("W1", LineIn(product_id="P1", quantity=3, unit_price=5.0))
    with pytest.raises(ConflictError, match="W1"):
        any_engine.add_orders([changed, order("W3", LineIn(product_id="P9", unit_price=1.0))])
    assert table(any_engine, orders, orders.c.order_id == "W3") == []
    assert len(table(any_engine, order_lines)) == 3
    (s,) = table(any_engine, customer_summaries)
    assert s["net_revenue"] == pytest.approx(16.0)
    (stored,) = table(any_engine, orders, orders.c.order_id == "W1")
    assert stored["source"] == "api" and stored["channel"] == "web"


def test_add_orders_names_the_invalid_field(any_engine: Engine) -> None:
    bad = order(
        "W9",
        LineIn(product_id="P1", unit_price=5.0),
        LineIn(product_id="P2", unit_price=1.0),
        LineIn(product_id="P3", unit_price=-1.0),
    )
    with pytest.raises(InvalidFieldError) as caught:
        any_engine.add_orders([order("W8", LineIn(product_id="P1", unit_price=1.0)), bad])
    assert caught.value.field == "orders[1].lines[2].unit_price"
    assert table(any_engine, order_lines) == []
    twice = order(
        "W7", LineIn(product_id="P1", unit_price=1.0), LineIn(product_id="P1", unit_price=1.0)
    )
    with pytest.raises(InvalidFieldError) as caught:
        any_engine.add_orders([twice])
    assert caught.value.field == "orders[0].lines[1]"


def test_add_orders_links_returns(any_engine: Engine) -> None:
    any_engine.add_orders([order("R1", LineIn(product_id="P1", quantity=3, unit_price=10.0))])
    later = OrderIn(
        order_id="R2",
        customer_id="c1",
        ordered_at=datetime(2024, 5, 3),
        lines=[LineIn(product_id="P1", quantity=-1, unit_price=10.0)],
    )
    any_engine.add_orders([later])
    lines = {r["order_id"]: r for r in table(any_engine, order_lines)}
    assert lines["R2"]["return_of"] == lines["R1"]["line_key"]
    assert lines["R1"]["returned_quantity"] == 1
    assert any_engine.store.orders.customer_summary("c1")["net_revenue"] == pytest.approx(20.0)  # type: ignore[index]


def test_values_shared_by_a_whole_batch_are_stored_unchanged(
    any_engine: Engine, tmp_path: Path
) -> None:
    # SQLite binds a value that every line of a batch shares once, as an SQL literal.
    channel, store = "O'Brien's \"shop\"; DROP --", "st\u00f6re 1"
    path = tmp_path / "orders.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "order_id",
                "customer_id",
                "ordered_at",
                "product_id",
                "quantity",
                "unit_price",
                "currency",
                "channel",
                "store_id",
                "is_gift",
            ]
        )
        for i in range(6):
            writer.writerow(
                [
                    f"O{i // 2}",
                    "c1",
                    "2024-02-01 10:00",
                    f"P{i}",
                    1,
                    2.5,
                    "usd",
                    channel,
                    store,
                    "true",
                ]
            )
    summary = any_engine.import_orders(path)
    assert (summary.imported, summary.rejected) == (6, 0)
    rows = table(any_engine, order_lines)
    assert {
        (r["channel"], r["store_id"], r["currency"], r["is_gift"], r["kind"]) for r in rows
    } == {(channel, store, "USD", True, "product")}
    assert {r["amount"] for r in rows} == {2.5}
    assert len(table(any_engine, orders)) == 3


def write_lines(path: Path, rows: list[tuple[str, str, str, int]]) -> Path:
    """A canonical file of (order_id, ordered_at, product_id, quantity) lines of customer c1."""
    lines = [f"{o},c1,{at},{p},{q},4.0" for o, at, p, q in rows]
    path.write_text(
        "order_id,customer_id,ordered_at,product_id,quantity,unit_price\n" + "\n".join(lines) + "\n"
    )
    return path


def test_a_return_imported_before_its_purchase_is_linked_by_the_later_import(
    any_engine: Engine, tmp_path: Path
) -> None:
    any_engine.import_orders(write_lines(tmp_path / "r.csv", [("C9", "2024-03-05", "P1", -2)]))
    (unlinked,) = table(any_engine, order_lines)
    assert unlinked["return_of"] is None
    any_engine.import_orders(
        write_lines(
            tmp_path / "p.csv",
            [
                ("A1", "2024-03-01", "P1", 5),
                ("A2", "2024-03-02", "P1", 3),
                ("A3", "2024-03-09", "P1", 1),
            ],
        )
    )
    lines = {r["order_id"]: r for r in table(any_engine, order_lines)}
    assert lines["C9"]["return_of"] == lines["A2"]["line_key"]  # the latest earlier purchase
    assert [lines[o]["returned_quantity"] for o in ("A1", "A2", "A3")] == [0, 2, 0]


def test_returns_in_later_batches_of_a_bulk_load_are_linked(
    any_engine: Engine, tmp_path: Path
) -> None:
    any_engine.settings.import_batch_rows = 2
    rows = [
        ("A1", "2024-03-01", "P1", 5),
        ("A2", "2024-03-01", "P2", 3),
        ("C2", "2024-03-04", "P2", -1),
        ("B1", "2024-03-02", "P3", 1),
        ("C1", "2024-03-04", "P1", -7),
        ("C2", "2024-03-04", "P2", -1),  # the same line again, in another batch
    ]
    summary = any_engine.import_orders(write_lines(tmp_path / "orders.csv", rows))
    assert (summary.imported, summary.duplicates) == (5, 1)
    lines = {r["order_id"]: r for r in table(any_engine, order_lines)}
    assert lines["C1"]["return_of"] == lines["A1"]["line_key"]
    assert lines["A1"]["returned_quantity"] == 5  # capped at the quantity bought
    assert lines["C2"]["return_of"] == lines["A2"]["line_key"]
    assert lines["A2"]["returned_quantity"] == 1  # returned once, however often it was read
    assert any_engine.store.orders.customer_summary("c1")["net_revenue"] == pytest.approx(4.0)  # type: ignore[index]


def test_events_are_idempotent_and_link_anonymous_ids(any_engine: Engine) -> None:
    batch = [
        EventIn(
            event_id="e1", occurred_at=datetime(2024, 3, 1, 9), type="page_view", anonymous_id="a1"
        ),
        EventIn(
            event_id="e2",
            occurred_at=datetime(2024, 3, 1, 9, 5),
            type="login",
            customer_id="c7",
            anonymous_id="a1",
            properties={"via": "email"},
        ),
        EventIn(
            event_id="e2",
            occurred_at=datetime(2024, 3, 1, 9, 5),
            type="login",
            customer_id="c7",
            anonymous_id="a1",
        ),
    ]
    assert any_engine.add_events(batch) == (2, 1)
    assert any_engine.add_events(batch[:2]) == (0, 2)
    (link,) = table(any_engine, identifiers)
    assert (link["kind"], link["value"], link["customer_id"]) == ("anonymous_id", "a1", "c7")
    assert table(any_engine, customers, customers.c.customer_id == "c7") != []
    (login,) = table(any_engine, events, events.c.event_id == "e2")
    assert login["properties"] == {"via": "email"} and login["occurred_at"] == datetime(
        2024, 3, 1, 9, 5
    )


def test_events_file(any_engine: Engine) -> None:
    summary = any_engine.import_events(FIXTURES / "events.csv")
    assert (summary.read, summary.imported, summary.rejected, summary.duplicates) == (7, 3, 3, 1)
    assert summary.reject_file is not None
    with summary.reject_file.open(encoding="utf-8") as f:
        reasons = [r["reason"] for r in csv.DictReader(f)]
    assert reasons[0].startswith("occurred_at 'not a time'")
    assert "both empty" in reasons[1] and "JSON object" in reasons[2]
    (first,) = table(any_engine, events, events.c.event_id == "e1")
    assert first["properties"] == {"page": "/p1"}
    assert [r["value"] for r in table(any_engine, identifiers)] == ["anon-1"]
    again = any_engine.import_events(FIXTURES / "events.csv")
    assert (again.imported, again.duplicates) == (0, 4)


def test_products_upsert_and_file(any_engine: Engine) -> None:
    assert any_engine.upsert_products([ProductIn(product_id="P1", name="Hose", price=10.0)]) == (
        1,
        0,
    )
    assert any_engine.upsert_products(
        [
            ProductIn(product_id="P1", name="Garden hose", price=10.0),
            ProductIn(product_id="P5", name="Gloves"),
        ]
    ) == (1, 1)
    summary = any_engine.import_products(FIXTURES / "products.csv")
    assert (summary.read, summary.imported, summary.rejected, summary.duplicates) == (5, 2, 3, 0)
    hose = any_engine.get_product("P1")
    assert hose["name"] == "Garden hose" and hose["category"] == "Garden > Watering"
    assert hose["released_at"] == date(2023, 4, 1) and hose["price"] == 29.9
    again = any_engine.import_products(FIXTURES / "products.csv")
    assert (again.imported, again.duplicates) == (0, 2)
    with pytest.raises(NotFoundError):
        any_engine.get_product("P404")
    # product names from order lines fill gaps only, never overwrite
    any_engine.add_orders([order("X1", LineIn(product_id="P5", unit_price=3.0))])
    assert any_engine.get_product("P5")["name"] == "Gloves"
    assert len(table(any_engine, products)) == 3


def test_parquet_and_csv_of_the_same_lines_are_the_same_lines(
    any_engine: Engine, tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    first = any_engine.import_orders(FIXTURES / "canonical.csv", progress=True)
    assert (first.imported, first.rejected) == (5, 0)
    table = pa.table(
        {
            "order_id": ["A1", "A1", "A2"],
            "customer_id": ["c1", "c1", "c2"],
            "ordered_at": pa.array(
                [datetime(2024, 3, 1, 10), datetime(2024, 3, 1, 10), datetime(2024, 3, 2)],
                pa.timestamp("us"),
            ),
            "product_id": ["P1", "P2", "P1"],
            "quantity": [2, 1, 1],
            "unit_price": [9.99, 4.5, 9.99],
        }
    )
    path = tmp_path / "same.parquet"
    pq.write_table(table, path)
    again = any_engine.import_orders(path)
    assert (again.read, again.imported, again.duplicates) == (3, 0, 3)
