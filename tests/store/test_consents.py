"""Contract tests of the consent ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from kunde.engine import Engine
from kunde.privacy import ConsentChange, Purpose, consent_mask
from kunde.store.consents import ConsentRepository
from kunde.store.tables import consent_entries

T0 = datetime(2026, 11, 23, 9, 0, 0)
T1 = datetime(2026, 11, 24, 9, 0, 0)


def _change(purpose: str, granted: bool, version: str = "2026-05") -> ConsentChange:
    return ConsentChange.model_validate(
        {"purpose": purpose, "granted": granted, "policy_version": version, "source": "checkout"}
    )


def test_append_returns_the_entries_in_order(any_engine: Engine) -> None:
    ledger = any_engine.store.consents
    entries = ledger.append(
        "C-1",
        [_change("personalization", True), _change("sms", False)],
        recorded_at=T0,
        recorded_by="staff:3",
    )
    assert [(e.purpose, e.granted) for e in entries] == [
        (Purpose.PERSONALIZATION, True),
        (Purpose.SMS, False),
    ]
    assert entries[0].entry_id < entries[1].entry_id
    assert all(e.recorded_at == T0 and e.recorded_by == "staff:3" for e in entries)
    assert ledger.history("C-1") == entries
    assert ledger.history("C-2") == []


def test_earlier_entries_are_unchanged_by_later_changes(any_engine: Engine) -> None:
    ledger = any_engine.store.consents
    ledger.append(
        "C-1", [_change("email_marketing", True, "v1")], recorded_at=T0, recorded_by="a:1"
    )
    with any_engine.store.db.connect() as conn:
        before = [tuple(r) for r in conn.execute(select(consent_entries))]
    ledger.append(
        "C-1", [_change("email_marketing", False, "v2")], recorded_at=T1, recorded_by="a:2"
    )
    ledger.append(
        "C-1", [_change("email_marketing", True, "v3")], recorded_at=T1, recorded_by="a:2"
    )
    with any_engine.store.db.connect() as conn:
        after = [tuple(r) for r in conn.execute(select(consent_entries).order_by("entry_id"))]
    assert after[: len(before)] == before
    assert len(after) == 3


def test_latest_entry_decides_the_state(any_engine: Engine) -> None:
    ledger = any_engine.store.consents
    assert not ledger.is_granted("C-1", Purpose.PERSONALIZATION)  # default: not granted
    ledger.append("C-1", [_change("personalization", True)], recorded_at=T0, recorded_by="a:1")
    assert ledger.is_granted("C-1", Purpose.PERSONALIZATION)
    assert not ledger.is_granted("C-1", Purpose.ANALYTICS)
    ledger.append("C-1", [_change("personalization", False)], recorded_at=T1, recorded_by="a:1")
    assert not ledger.is_granted("C-1", Purpose.PERSONALIZATION)


def test_granted_customers_is_one_set_over_everyone(any_engine: Engine) -> None:
    ledger = any_engine.store.consents
    ledger.append("C-1", [_change("push", True)], recorded_at=T0, recorded_by="a:1")
    ledger.append(
        "C-2", [_change("push", True), _change("push", False)], recorded_at=T0, recorded_by="a:1"
    )
    ledger.append(
        "C-3", [_change("push", False), _change("push", True)], recorded_at=T0, recorded_by="a:1"
    )
    ledger.append("C-4", [_change("sms", True)], recorded_at=T0, recorded_by="a:1")
    assert ledger.granted_customers(Purpose.PUSH) == {"C-1", "C-3"}
    assert ledger.latest_states(Purpose.PUSH) == {"C-1": True, "C-2": False, "C-3": True}
    assert any_engine.consented_customers("push") == {"C-1", "C-3"}
    assert any_engine.has_consent("C-3", Purpose.PUSH)
    assert not any_engine.has_consent("C-2", "push")
    batch = ["C-4", "C-3", "C-9", "C-1"]
    mask = consent_mask(batch, any_engine.consented_customers(Purpose.PUSH))
    assert mask.tolist() == [False, True, False, True]


def test_many_customers_in_bulk(any_engine: Engine) -> None:
    ledger = any_engine.store.consents
    for i in range(300):
        changes = [_change("analytics", True)] + ([_change("analytics", False)] if i % 3 else [])
        ledger.append(f"C-{i:04d}", changes, recorded_at=T0, recorded_by="integration:1")
    assert ledger.granted_customers(Purpose.ANALYTICS) == {f"C-{i:04d}" for i in range(0, 300, 3)}


def test_the_ledger_offers_no_way_to_change_or_delete() -> None:
    public = {name for name in dir(ConsentRepository) if not name.startswith("_")}
    assert public == {
        "append",
        "granted_customers",
        "has_entries",
        "history",
        "is_granted",
        "latest",
        "latest_states",
        "ledger",
        "seed",
    }


def test_seed_appends_only_to_empty_ledgers(any_engine: Engine) -> None:
    ledger = any_engine.store.consents
    grant = ConsentChange(
        purpose="personalization", granted=True, policy_version="v1", source="web"
    )
    withdraw = ConsentChange(
        purpose="personalization", granted=False, policy_version="v1", source="web"
    )
    at = datetime(2026, 1, 1)
    ledger.append("C-1", [withdraw], recorded_at=at, recorded_by="test")
    added = ledger.seed([("C-1", grant), ("C-2", grant)], recorded_at=at, recorded_by="demo")
    assert added == 1  # C-1 already decided: its ledger is left as it is
    assert ledger.granted_customers(Purpose.PERSONALIZATION) == {"C-2"}
    assert ledger.seed([("C-2", grant)], recorded_at=at, recorded_by="demo") == 0
    assert len(ledger.history("C-2")) == 1


def test_latest_entry_per_customer_and_the_value_version(any_engine: Engine) -> None:
    ledger = any_engine.store.consents
    version = any_engine.store.value.data_version()
    ledger.append("C-1", [_change("analytics", True)], recorded_at=T0, recorded_by="staff:3")
    after_grant = any_engine.store.value.data_version()
    assert after_grant > version  # an analytics entry makes cached value scores stale
    ledger.append("C-2", [_change("sms", False)], recorded_at=T0, recorded_by="staff:3")
    assert any_engine.store.value.data_version() == after_grant  # other purposes do not
    ledger.append("C-1", [_change("analytics", False)], recorded_at=T1, recorded_by="staff:3")
    ledger.append("C-3", [_change("analytics", True)], recorded_at=T1, recorded_by="staff:3")

    ids, entry_ids, granted = ledger.latest(Purpose.ANALYTICS)
    latest = dict(
        zip(ids.tolist(), zip(entry_ids.tolist(), granted.tolist(), strict=True), strict=True)
    )
    assert {c: g for c, (_, g) in latest.items()} == {"C-1": False, "C-3": True}
    assert latest["C-1"][0] < latest["C-3"][0]  # the ledger's order across customers
    ids, _, granted = ledger.latest(Purpose.ANALYTICS, ["C-3", "C-9"])
    assert ids.tolist() == ["C-3"] and granted.tolist() == [True]
    ids, _, _ = ledger.latest(Purpose.PUSH, ["C-1"])
    assert ids.size == 0
    both = ledger.ledger(["C-3", "C-1", "C-9"])
    assert [e.customer_id for e in both] == ["C-1", "C-1", "C-3"]
    assert [e.entry_id for e in both] == sorted(e.entry_id for e in both)
