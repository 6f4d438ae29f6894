"""Writing and reading the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from kunde.privacy import Actor, AuditAction, AuditEntry
from kunde.store import Store

__all__ = ["audit_trail", "record_read"]


def record_read(store: Store, actor: Actor, customer_id: str, what: str) -> None:
    """Record that ``actor`` read personal data of ``customer_id`` (``what``: e.g. the route).

    Nothing is recorded for an id kunde holds nothing about (nothing was read): after an
    erasure, a request naming the erased customer must not bring their id back into the trail.
    """
    if not store.rights.is_known(customer_id):
        return
    entry = AuditEntry(
        at=datetime.now(UTC).replace(tzinfo=None),
        actor_key_id=actor.key_id,
        actor_role=actor.role,
        action=AuditAction.READ.value,
        customer_id=customer_id,
        request_id=actor.request_id,
        reason=actor.reason,
        details={"what": what},
    )
    store.audit.append([entry])


def audit_trail(
    store: Store,
    *,
    customer_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: int | None = None,
    limit: int = 100,
) -> tuple[list[AuditEntry], int | None]:
    """One page of the audit trail, newest first, and the ``before`` of the next page.

    Times with a zone are converted to UTC; times without one are taken as UTC.

    Returns:
        The entries and the value to pass as ``before`` for the next page (``None``: last page).
    """
    entries = store.audit.page(
        customer_id=customer_id,
        since=_naive_utc(since),
        until=_naive_utc(until),
        before=before,
        limit=limit + 1,
    )
    if len(entries) > limit:
        return entries[:limit], entries[limit - 1].entry_id
    return entries, None


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # e.g. 0001-01-01T00:30+01:00 is before the calendar starts in UTC
        return datetime.min if moment.year == 1 else datetime.max
