"""Customer value sees a merged profile as one customer; unmerge separates them again."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from kunde._engine.value_summary import store_summary
from kunde.engine import Engine
from kunde.identity import IdentifierIn, IdentifierKind, IdentifyIn
from kunde.privacy import Actor

ADMIN = Actor(key_id=None, role="admin")


def _days(engine: Engine, customer_id: str, days: list[tuple[int, float, int]]) -> None:
    """Import orders giving the customer these (day, net value, purchase lines) days."""
    lines = ["order_id,customer_id,ordered_at,product_id,quantity,amount"]
    for d, v, n in days:
        stamp = (date(2025, 1, 1) + timedelta(days=d)).isoformat() + "T12:00:00"
        if n == 0:  # a return-only day
            lines.append(f"{customer_id}-{d},{customer_id},{stamp},p,-1,{v}")
        lines.extend(f"{customer_id}-{d},{customer_id},{stamp},p{k},1,{v / n}" for k in range(n))
    path = engine.settings.data_dir / f"{customer_id}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    engine.import_orders(path)


def _merge(engine: Engine, absorbed: str, survivor: str) -> int:
    email = IdentifierIn(kind=IdentifierKind.EMAIL, value=f"{absorbed}-{survivor}@example.de")
    engine.identify(ADMIN, IdentifyIn(customer_id=absorbed, identifiers=[email]))
    result = engine.identify(ADMIN, IdentifyIn(customer_id=survivor, identifiers=[email]))
    (merge,) = result["merged"]
    assert {merge["survivor"], merge["absorbed"]} == {absorbed, survivor}
    return int(merge["merge_id"])


def test_merged_customers_are_one_profile(any_engine: Engine) -> None:
    engine = any_engine
    engine.build_demo(customers=120)
    _days(engine, "m-a", [(0, 10.0, 1), (10, 20.0, 2), (30, -5.0, 0)])
    _days(engine, "m-b", [(10, 7.0, 1), (50, 30.0, 1)])  # day 10: both bought, counts once
    engine.value_fit(time_unit="D")
    apart = {cid: engine.customer_value(cid) for cid in ("m-a", "m-b")}
    assert apart["m-a"]["frequency"] == 1 and apart["m-b"]["frequency"] == 1
    version = engine.store.value.data_version()

    merge_id = _merge(engine, "m-b", "m-a")
    # as of day 20: the profile has bought on days 0 and 10 (both bought on day 10)
    ids, early = store_summary(engine.store, date(2025, 1, 21))
    i = int(np.flatnonzero(ids == engine.resolve_customers(["m-b"])[0])[0])
    assert early.frequency[i] == 1 and early.monetary[i] == pytest.approx(27.0)
    assert engine.store.value.data_version() > version  # the cached scores are stale
    profile = engine.resolve_customers(["m-a"])[0]
    ids, summary = store_summary(engine.store, None)
    assert ({"m-a", "m-b"} - {profile}).isdisjoint(ids)
    i = int(np.flatnonzero(ids == profile)[0])
    assert [summary.first_day[i], summary.last_day[i]] == [20089, 20139]  # 2025-01-01 + 0, 50
    assert summary.frequency[i] == 2  # days 0, 10, 50
    assert summary.monetary[i] == pytest.approx((20.0 + 7.0 - 5.0 + 30.0) / 2)
    together = engine.customer_value("m-a")
    assert engine.customer_value("m-b") == together
    assert together["customer_id"] == profile and together["frequency"] == 2

    version = engine.store.value.data_version()
    engine.undo_merge(ADMIN, merge_id)
    assert engine.store.value.data_version() > version
    again = {cid: engine.customer_value(cid) for cid in ("m-a", "m-b")}
    assert again["m-a"]["frequency"] == 1 and again["m-b"]["frequency"] == 1
    assert again["m-a"]["customer_id"] == "m-a" and again["m-b"]["customer_id"] == "m-b"
