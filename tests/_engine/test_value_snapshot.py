"""The summary a value fit keeps (``summary.arrow``): the export and the API scores reuse it only
while the store's data version and the as-of date match, and an erasure deletes it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from kunde._engine import value_snapshot
from kunde._engine.value_summary import store_summary
from kunde.engine import Engine
from kunde.privacy import Actor, ConsentChange

ADMIN = Actor(key_id=None, role="admin")
HEADER = "order_id,customer_id,ordered_at,product_id,quantity,amount"


def _import(engine: Engine, path: Path, lines: list[str]) -> None:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    engine.import_orders(path)


def _shop(engine: Engine, tmp_path: Path) -> None:
    """60 customers with 1-5 purchase days each in 2025 (seeded)."""
    rng = np.random.default_rng(11)
    lines = []
    for c in range(60):
        for k, day in enumerate(sorted(set(rng.integers(1, 300, 1 + c % 5).tolist()))):
            stamp = np.datetime64("2025-01-01") + np.timedelta64(int(day), "D")
            lines.append(f"o{c}-{k},c{c},{stamp}T12:00:00,p{k % 3},1,{10 + (c * 7 + k) % 40}")
    _import(engine, tmp_path / "shop.csv", lines)


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row["customer_id"]: row for row in csv.DictReader(f)}


def test_the_export_from_the_kept_summary_equals_a_fresh_one(
    any_engine: Engine, tmp_path: Path
) -> None:
    engine = any_engine
    _shop(engine, tmp_path)
    engine.value_fit(time_unit="D", models=["bgnbd"])
    path = value_snapshot.snapshot_path(engine.settings)
    assert path.is_file()
    kept = engine.value_export(tmp_path / "kept.csv")
    path.unlink()  # the export reads the store again
    fresh = engine.value_export(tmp_path / "fresh.csv")
    assert kept == fresh == 60
    assert _rows(tmp_path / "kept.csv") == _rows(tmp_path / "fresh.csv")
    assert not path.exists()  # only a fit writes it


def test_the_kept_summary_is_what_the_export_reads(engine: Engine, tmp_path: Path) -> None:
    """Proof that it is used: a snapshot with the store's tag but other numbers is exported."""
    _shop(engine, tmp_path)
    engine.value_fit(time_unit="D", models=["bgnbd"])
    version = engine.store.value.data_version()
    ids, summary = store_summary(engine.store, None)
    changed = summary.take(np.arange(len(ids)))
    object.__setattr__(changed, "total_value", summary.total_value + 1000.0)
    object.__setattr__(changed, "monetary", np.full(len(ids), 123.0))
    value_snapshot.save(engine.settings, version, None, ids, changed)
    rows = _rows(tmp_path / "out.csv") if engine.value_export(tmp_path / "out.csv") else {}
    assert {r["monetary"] for r in rows.values()} == {"123"}
    # a snapshot tagged with another version (or as-of date) is ignored
    value_snapshot.save(engine.settings, version - 1, None, ids, changed)
    assert value_snapshot.load(engine.settings, version, None) is None
    engine.value_export(tmp_path / "again.csv")
    assert {r["monetary"] for r in _rows(tmp_path / "again.csv").values()} != {"123"}
    value_snapshot.save(engine.settings, version, date(2025, 6, 1), ids, changed)
    assert value_snapshot.load(engine.settings, version, None) is None
    assert value_snapshot.load(engine.settings, version, date(2025, 6, 1)) is not None


def test_an_unreadable_snapshot_is_read_again_from_the_store(
    engine: Engine, tmp_path: Path
) -> None:
    _shop(engine, tmp_path)
    engine.value_fit(time_unit="D", models=["bgnbd"])
    path = value_snapshot.snapshot_path(engine.settings)
    path.write_bytes(b"not arrow at all")
    assert value_snapshot.load(engine.settings, engine.store.value.data_version(), None) is None
    assert engine.value_export(tmp_path / "out.csv") == 60


def test_new_orders_make_the_kept_summary_stale(any_engine: Engine, tmp_path: Path) -> None:
    engine = any_engine
    _shop(engine, tmp_path)
    engine.value_fit(time_unit="D", models=["bgnbd"])
    _import(engine, tmp_path / "more.csv", ["n1,newcomer,2025-11-20T10:00:00,p1,1,30"])
    engine.value_export(tmp_path / "out.csv")
    rows = _rows(tmp_path / "out.csv")
    assert "newcomer" in rows  # the export refitted and read the store
    assert rows["c0"]["tenure_days"] != ""
    loaded = value_snapshot.load(engine.settings, engine.store.value.data_version(), None)
    assert loaded is not None  # the refit kept the new summary
    assert "newcomer" in loaded[0].to_pylist()


def test_an_as_of_fit_is_not_reused_for_the_latest_day(engine: Engine, tmp_path: Path) -> None:
    _shop(engine, tmp_path)
    cut = date(2025, 6, 30)
    engine.value_fit(as_of=cut, time_unit="D", models=["bgnbd"])
    early = engine.value_export(tmp_path / "early.csv", as_of=cut)
    assert early == len(_rows(tmp_path / "early.csv"))
    assert engine.value_export(tmp_path / "all.csv") == 60 > early


def test_an_objection_to_analytics_is_not_hidden_by_the_kept_summary(
    engine: Engine, tmp_path: Path
) -> None:
    _shop(engine, tmp_path)
    engine.value_fit(time_unit="D", models=["bgnbd"])
    change = ConsentChange(purpose="analytics", granted=False, policy_version="v1", source="web")  # type: ignore[arg-type]
    engine.record_consents(ADMIN, "c3", [change])
    assert not value_snapshot.snapshot_path(engine.settings).exists()  # deleted with the objection
    engine.value_export(tmp_path / "out.csv")
    assert "c3" not in _rows(tmp_path / "out.csv")
    assert len(_rows(tmp_path / "out.csv")) == 59
    kept = value_snapshot.load(engine.settings, engine.store.value.data_version(), None)
    assert kept is not None and "c3" not in kept[0].to_pylist()  # the refit's summary


def test_an_erasure_deletes_the_kept_summary(any_engine: Engine, tmp_path: Path) -> None:
    engine = any_engine
    _shop(engine, tmp_path)
    engine.value_fit(time_unit="D", models=["bgnbd"])
    path = value_snapshot.snapshot_path(engine.settings)
    assert b"c17" in path.read_bytes()
    result = engine.erase_customer(ADMIN, "c17")
    assert not path.exists()
    assert str(path.relative_to(engine.settings.data_dir)) in result["files_removed"]
    engine.value_export(tmp_path / "out.csv")
    assert "c17" not in _rows(tmp_path / "out.csv")
    assert b"c17" not in path.read_bytes()  # the refit kept a summary without them


def test_the_snapshot_keeps_only_customers_with_a_purchase(engine: Engine, tmp_path: Path) -> None:
    _shop(engine, tmp_path)
    _import(engine, tmp_path / "ret.csv", ["r1,returner,2025-05-05T10:00:00,p1,-1,-20"])
    engine.value_fit(time_unit="D", models=["bgnbd"])
    loaded = value_snapshot.load(engine.settings, engine.store.value.data_version(), None)
    assert loaded is not None
    ids, summary = loaded
    assert isinstance(ids, pa.Array)
    assert "returner" not in ids.to_pylist()
    assert ids.to_pylist() and summary.has_purchase.all() and len(ids) == 60
    fresh_ids, fresh = store_summary(engine.store, None)
    order = {c: i for i, c in enumerate(np.asarray(fresh_ids, dtype=object).tolist())}
    at = np.array([order[c] for c in ids.to_pylist()])
    for name in ("frequency", "recency_days", "tenure_days", "monetary", "total_value"):
        np.testing.assert_array_equal(getattr(summary, name), getattr(fresh, name)[at])
    assert summary.as_of == fresh.as_of
