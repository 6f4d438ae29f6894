"""Property: importing any small file, malformed lines included, is lossless and idempotent."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from kunde.engine import Engine
from kunde.store.tables import metadata, order_lines

HEADER = "order_id,customer_id,ordered_at,product_id,quantity,unit_price"
DATES = {"2024-01-01 10:00:00": datetime(2024, 1, 1, 10), "2024-01-02": datetime(2024, 1, 2)}

row = st.tuples(
    st.sampled_from(["o1", "o2"]),
    st.sampled_from(["c1", "c2", ""]),
    st.sampled_from([*DATES, "not-a-date", ""]),
    st.sampled_from(["P1", "P2", "POST", ""]),
    st.sampled_from(["1", "2", "-1", "0", "abc", ""]),
    st.sampled_from(["1.5", "0", "-2", "x", ""]),
)
line = st.one_of(
    row.map(lambda r: ",".join(r)),
    st.sampled_from(["o1,c1", "o1,c1,2024-01-02,P1,1,1.5,extra", '"o2",c1,2024-01-02,P1,1,1.5']),
)


def expected(text_line: str) -> tuple[object, ...] | None:
    """The stored form of a line under kunde's rules, or None for a rejected line."""
    fields = text_line.replace('"', "").split(",")
    if len(fields) != 6:
        return None
    order, customer, at, product, quantity, price = fields
    if at not in DATES or quantity in ("0", "abc") or price in ("x", ""):
        return None
    if price == "-2" and product != "POST":
        return None
    return (
        order,
        customer or None,
        DATES[at],
        product or None,
        int(quantity or "1"),
        float(price),
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(line, min_size=0, max_size=25))
def test_import_is_lossless_and_idempotent(
    engine: Engine, tmp_path: Path, lines: list[str]
) -> None:
    with engine.store.db.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(delete(table))
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "\n" + "".join(f"{x}\n" for x in lines))
    first = engine.import_orders(path)
    assert first.read == len(lines)
    assert first.read == first.imported + first.rejected + first.duplicates
    wanted = [expected(x) for x in lines]
    assert first.rejected == wanted.count(None)
    distinct = {w for w in wanted if w is not None}
    assert first.imported == len(distinct)
    with engine.store.db.connect() as conn:
        stored = {
            (r.order_id, r.customer_id, r.ordered_at, r.product_id, r.quantity, r.unit_price)
            for r in conn.execute(select(order_lines))
        }
    assert stored == distinct

    second = engine.import_orders(path)
    assert (second.read, second.imported, second.rejected) == (first.read, 0, first.rejected)
    assert second.duplicates == first.imported + first.duplicates
