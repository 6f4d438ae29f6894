"""Identity graph: resolving customer ids through merges, and a timeline page.

1. Resolution: 1,000,000 customer ids, 100,000 active merges in chains up to 4 deep. kunde's
   ``Engine.resolve_customers`` (one query over the active merges, pointer jumping and
   ``searchsorted``) against the plain way: the same query, a dict ``absorbed -> survivor`` and
   a Python loop that follows it for every id.
2. Timeline: one page (25 items) of a customer's timeline on SQLite with 5,000 customers,
   200,000 events (a quarter anonymous, stitched through linked cookies) and 10,000 orders;
   kunde's ``Engine.timeline`` (events, stitched events, orders with lines, consents, phases)
   against one bare query of the customer's own events (``WHERE customer_id = ? ORDER BY
   occurred_at DESC LIMIT 25``), which is the floor any timeline pays.

Usage: ``python bench/identity.py``. Median of 3 (resolution) and of 200 customers (timeline).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select, text

from _machine import machine, print_table, write_result
from kunde.config import Settings
from kunde.engine import Engine
from kunde.identity import EventIn
from kunde.orders import LineIn, OrderIn
from kunde.store.tables import customer_merges

N_IDS = 1_000_000
N_MERGES = 100_000
N_CUSTOMERS = 5_000
EVENTS_PER_CUSTOMER = 40
ORDERS_PER_CUSTOMER = 2
PAGE = 25
T0 = datetime(2026, 1, 1)


def _engine(directory: Path) -> Engine:
    settings = Settings(
        database_url=f"sqlite:///{directory / 'bench.db'}", data_dir=directory, environment="test"
    )
    engine = Engine(settings)
    engine.init()
    return engine


def _merges(engine: Engine, rng: np.random.Generator) -> None:
    """Active merges that join roots only: rounds of pairs, so chains grow up to 4 deep."""
    roots = np.array([f"c{i}" for i in rng.permutation(N_IDS)[: 2 * N_MERGES]])
    rows = []
    while len(rows) < N_MERGES and len(roots) > 1:
        half = len(roots) // 2
        survivors, absorbed = roots[:half], roots[half : 2 * half]
        take = min(half, N_MERGES - len(rows))
        rows += [
            {
                "customer_id": s,
                "absorbed_customer_id": a,
                "reason": "bench",
                "created_at": T0,
                "created_by": "bench",
            }
            for s, a in zip(survivors[:take].tolist(), absorbed[:take].tolist(), strict=True)
        ]
        roots = survivors
    with engine.store.db.begin() as conn:
        conn.execute(insert(customer_merges), rows)


def plain_resolve(engine: Engine, ids: list[str]) -> list[str]:
    with engine.store.db.connect() as conn:
        parent = dict(
            conn.execute(
                select(customer_merges.c.absorbed_customer_id, customer_merges.c.customer_id).where(
                    customer_merges.c.undone_at.is_(None)
                )
            ).all()
        )
    out = []
    for c in ids:
        while c in parent:
            c = parent[c]
        out.append(c)
    return out


def bench_resolution(engine: Engine, rng: np.random.Generator) -> dict[str, float]:
    _merges(engine, rng)
    ids = [f"c{i}" for i in rng.integers(0, N_IDS, N_IDS)]
    array = np.array(ids)
    kunde, plain = [], []
    for _ in range(3):
        start = time.perf_counter()
        resolved = engine.resolve_customers(array)
        kunde.append(time.perf_counter() - start)
        start = time.perf_counter()
        expected = plain_resolve(engine, ids)
        plain.append(time.perf_counter() - start)
    assert resolved.tolist() == expected
    return {"kunde_s": statistics.median(kunde), "plain_s": statistics.median(plain)}


def _shop(engine: Engine, rng: np.random.Generator) -> None:
    events = []
    for c in range(N_CUSTOMERS):
        at = T0 + timedelta(minutes=int(rng.integers(0, 60 * 24 * 300)))
        for k in range(EVENTS_PER_CUSTOMER):
            at += timedelta(minutes=int(rng.integers(1, 600)))
            anonymous = k % 4 == 0
            events.append(
                EventIn(
                    event_id=f"e{c}-{k}",
                    occurred_at=at,
                    type="page_view",
                    touchpoint=("web", "app", "store", "call_centre", "email")[k % 5],
                    customer_id=None if anonymous else f"s{c}",
                    anonymous_id=f"cookie-{c}",  # the others link it to the customer
                )
            )
    for start in range(0, len(events), 20_000):
        engine.add_events(events[start : start + 20_000])
    orders = [
        OrderIn(
            order_id=f"o{c}-{k}",
            customer_id=f"s{c}",
            ordered_at=T0 + timedelta(days=int(rng.integers(0, 300))),
            channel="web",
            lines=[LineIn(product_id=f"p{int(rng.integers(0, 500))}", quantity=1, unit_price=9.5)],
        )
        for c in range(N_CUSTOMERS)
        for k in range(ORDERS_PER_CUSTOMER)
    ]
    for start in range(0, len(orders), 1_000):
        engine.add_orders(orders[start : start + 1_000])


def bench_timeline(engine: Engine, rng: np.random.Generator) -> dict[str, float]:
    _shop(engine, rng)
    bare = text("SELECT * FROM events WHERE customer_id = :c ORDER BY occurred_at DESC LIMIT :n")
    kunde, plain = [], []
    for c in rng.integers(0, N_CUSTOMERS, 200).tolist():
        start = time.perf_counter()
        page = engine.timeline(f"s{c}", limit=PAGE)
        kunde.append(time.perf_counter() - start)
        assert len(page["items"]) == PAGE and any(i["stitched"] for i in page["items"])
        start = time.perf_counter()
        with engine.store.db.connect() as conn:
            conn.execute(bare, {"c": f"s{c}", "n": PAGE}).all()
        plain.append(time.perf_counter() - start)
    return {
        "kunde_ms": 1000 * statistics.median(kunde),
        "plain_ms": 1000 * statistics.median(plain),
    }


def main() -> None:
    rng = np.random.default_rng(20261204)
    with tempfile.TemporaryDirectory() as tmp:
        engine = _engine(Path(tmp))
        resolution = bench_resolution(engine, rng)
        timeline = bench_timeline(engine, rng)
        engine.close()
    rows = [
        [
            f"resolve {N_IDS:,} ids through {N_MERGES:,} merges",
            f"{resolution['kunde_s']:.3f} s",
            f"dict + Python loop {resolution['plain_s']:.3f} s",
            f"kunde ÷ anchor {resolution['kunde_s'] / resolution['plain_s']:.2f}",
        ],
        [
            "timeline page (25 items, 4 sources, phases), SQLite",
            f"{timeline['kunde_ms']:.2f} ms",
            f"bare events query {timeline['plain_ms']:.2f} ms",
            f"kunde ÷ anchor {timeline['kunde_ms'] / timeline['plain_ms']:.0f}",
        ],
    ]
    print_table("Identity graph", ["what", "kunde", "anchor", "ratio"], rows)
    path = write_result(
        "identity",
        {
            "machine": machine(),
            "resolution": resolution,
            "timeline": timeline,
            "sizes": {
                "ids": N_IDS,
                "merges": N_MERGES,
                "customers": N_CUSTOMERS,
                "events": N_CUSTOMERS * EVENTS_PER_CUSTOMER,
                "orders": N_CUSTOMERS * ORDERS_PER_CUSTOMER,
            },
        },
    )
    print(f"\nwritten: {path}")


if __name__ == "__main__":
    main()
