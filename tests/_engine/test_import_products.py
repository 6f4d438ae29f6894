"""Products named by imported order lines: batch-independent, and only changes reach the store."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kunde import Engine
from kunde._engine.import_products import ProductsSent, product_table
from kunde.config import Settings
from kunde.store.tables import products

_FIELDS = ("name", "category", "brand")

_rows = st.lists(
    st.tuples(
        st.sampled_from(["P1", "P2", "P3", "P4"]),
        *(st.one_of(st.none(), st.sampled_from(["a", "b"])) for _ in _FIELDS),
    ),
    max_size=12,
)


def _store(state: dict[str, dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    """The store's rule: insert a missing product, fill in only the fields it has none of."""
    for row in rows:
        held = state.setdefault(row["product_id"], dict.fromkeys(_FIELDS))
        for field in _FIELDS:
            if held[field] is None:
                held[field] = row[field]


@settings(deadline=None)  # the first example loads Arrow's compute kernels
@given(st.lists(_rows, max_size=6))
def test_sending_only_new_facts_leaves_the_store_as_sending_everything(
    batches: list[list[tuple[str, str | None, str | None, str | None]]],
) -> None:
    everything: dict[str, dict[str, Any]] = {}
    filtered: dict[str, dict[str, Any]] = {}
    sent = ProductsSent()
    for batch in batches:
        rows = [dict(zip(("product_id", *_FIELDS), row, strict=True)) for row in batch]
        table = pa.table(
            {
                "product_id": pa.array([r["product_id"] for r in rows], pa.string()),
                **{f: pa.array([r[f] for r in rows], pa.string()) for f in _FIELDS},
            }
        )
        _store(everything, rows)
        _store(filtered, sent.new(table).to_pylist())
    assert filtered == everything


def test_a_product_takes_the_first_description_of_its_lines() -> None:
    lines = pa.table(
        {
            "product_id": ["P1", "P1", "P2", "P1", None],
            "product_name": [None, "zebra mug", "damaged", "apple mug", "fee"],
            "category": [None, None, None, "mugs", None],
            "brand": pa.array([None] * 5, pa.string()),
            "kind": ["sale", "sale", "adjustment", "sale", "sale"],
            "product_kind": ["product", "product", "product", "product", "fee"],
        }
    )
    rows = {r["product_id"]: r for r in product_table(lines).to_pylist()}
    assert rows["P1"]["name"] == "zebra mug"  # the first given, not the largest
    assert rows["P1"]["category"] == "mugs"
    assert rows["P2"]["name"] is None  # a stock correction's note is no name
    assert set(rows) == {"P1", "P2"}


def test_products_do_not_depend_on_how_a_file_is_split_into_batches(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    names = ["red mug", "Red Mug", "RED MUG ", "blue mug", "mug, blue"]
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        header = "order_id customer_id ordered_at product_id product_name quantity unit_price"
        out.writerow(header.split())
        for i in range(60):
            day = f"2024-03-{1 + i % 28:02d}T10:00:00"
            out.writerow([f"O{i // 4}", f"C{i % 7}", day, f"P{i % 5}", names[(i * 3) % 5], 1, 2.5])
    stored = []
    for batch_rows in (1, 7, 10_000):
        url = f"sqlite:///{tmp_path / f'{batch_rows}.db'}"
        settings = Settings(database_url=url, data_dir=tmp_path / "data", environment="test")
        engine = Engine(settings)
        engine.init()
        engine.settings.import_batch_rows = batch_rows
        assert engine.import_orders(path).imported == 60
        with engine.store.db.connect() as conn:
            stored.append(
                sorted(
                    tuple(r) for r in conn.execute(select(products.c.product_id, products.c.name))
                )
            )
        engine.close()
    assert stored[0] == stored[1] == stored[2]
    first = {f"P{i % 5}": names[(i * 3) % 5].strip() for i in reversed(range(60))}
    assert dict(stored[0]) == first
