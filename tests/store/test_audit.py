"""Contract tests of the audit trail (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from kunde.engine import Engine
from kunde.privacy import AuditEntry
from kunde.store.audit import AuditRepository
from kunde.store.tables import audit_entries

T0 = datetime(2026, 11, 23, 9, 0, 0)


def _entry(i: int, customer_id: str) -> AuditEntry:
    return AuditEntry(
        at=T0 + timedelta(minutes=i),
        actor_key_id=7,
        actor_role="staff",
        action="personal_data.read",
        customer_id=customer_id,
        request_id=f"req-{i}",
        reason="ticket 42" if i % 2 else None,
        details={"what": "GET /v1/customers/{customer_id}"},
    )


def test_append_and_read_back_newest_first(any_engine: Engine) -> None:
    audit = any_engine.store.audit
    audit.append([_entry(0, "C-1"), _entry(1, "C-2")])
    page = audit.page()
    assert [(e.customer_id, e.request_id, e.reason) for e in page] == [
        ("C-2", "req-1", "ticket 42"),
        ("C-1", "req-0", None),
    ]
    assert page[0].details == {"what": "GET /v1/customers/{customer_id}"}
    assert page[0].entry_id is not None and page[1].entry_id is not None
    assert page[0].entry_id > page[1].entry_id
    assert page[1].at == T0


def test_filters_by_customer_and_time(any_engine: Engine) -> None:
    audit = any_engine.store.audit
    audit.append([_entry(i, f"C-{i % 3}") for i in range(12)])
    assert {e.customer_id for e in audit.page(customer_id="C-1")} == {"C-1"}
    assert len(audit.page(customer_id="C-1")) == 4
    window = audit.page(since=T0 + timedelta(minutes=3), until=T0 + timedelta(minutes=6))
    assert [e.request_id for e in window] == ["req-5", "req-4", "req-3"]


def test_pages_cover_every_entry_once(any_engine: Engine) -> None:
    audit = any_engine.store.audit
    audit.append([_entry(i, "C-1") for i in range(23)])
    seen: list[str | None] = []
    before = None
    while True:
        entries, before = any_engine.audit_trail(customer_id="C-1", before=before, limit=5)
        seen.extend(e.request_id for e in entries)
        if before is None:
            break
    assert seen == [f"req-{i}" for i in reversed(range(23))]


def test_earlier_entries_stay_unchanged(any_engine: Engine) -> None:
    audit = any_engine.store.audit
    audit.append([_entry(0, "C-1")])
    with any_engine.store.db.connect() as conn:
        before = [tuple(r) for r in conn.execute(select(audit_entries))]
    audit.append([_entry(1, "C-1"), _entry(2, "C-2")])
    with any_engine.store.db.connect() as conn:
        after = [tuple(r) for r in conn.execute(select(audit_entries).order_by("entry_id"))]
    assert after[:1] == before


def test_the_trail_offers_no_way_to_change_or_delete() -> None:
    public = {name for name in dir(AuditRepository) if not name.startswith("_")}
    assert public == {"append", "page"}
