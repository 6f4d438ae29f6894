"""Erasing a customer from the database, the data directory and kunde's logs.

1. Every table (:mod:`kunde.store.rights`): profile, identifiers, events (also those under the
   customer's anonymous ids), consents, payment methods, per-day sums and summaries are deleted;
   order lines are deleted when past bookkeeping retention, otherwise kept under a random
   pseudonym; audit entries about the customer are pseudonymised. The erasure register keeps a
   keyed digest so that trainers and imports can leave the person out.
2. The erasure itself is audited without the customer id (the pseudonym and the row counts).
3. Every file under ``KUNDE_DATA_DIR`` that mentions the customer (reject files, exports, model
   artefacts) is rewritten without them, or removed when its format cannot be rewritten; the
   value fit's per-customer summary (:mod:`kunde._engine.value_snapshot`) is deleted whole.
4. SQLite: the WAL is checkpointed and truncated, so no earlier page image survives there;
   ``secure_delete`` has zeroed the freed cells and pages in the database file. When another
   connection's open read transaction keeps the WAL busy, the erasure answers at once
   (``wal_emptied`` false) and a background thread empties the WAL as soon as the reader ends.

kunde's own logs never contain customer ids (:mod:`kunde.api.logs` redacts request paths), so
there is nothing to remove from them.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from kunde._engine import value_snapshot
from kunde._engine.privacy import audit_entry
from kunde._engine.self_service import require_known
from kunde.config import Settings
from kunde.privacy import (
    Actor,
    AuditAction,
    new_pseudonym,
    redact,
    retention_cutoff,
    scrub_directory,
    subject_digest,
)
from kunde.store import Store

__all__ = ["erase_customer"]

_log = logging.getLogger(__name__)
_RETRY_SECONDS = 1.0
_RETRY_FOR_SECONDS = 600.0


def _scrub_when_readers_end(store: Store) -> None:
    """A reader kept the WAL busy: empty it in the background as soon as readers let go
    (every second, for up to 10 minutes), so the erasure's request does not wait for them."""

    def retry() -> None:
        deadline = time.monotonic() + _RETRY_FOR_SECONDS
        while time.monotonic() < deadline:
            time.sleep(_RETRY_SECONDS)
            try:
                if store.rights.scrub_free_space(tries=1):
                    return
            except SQLAlchemyError:  # the store was closed: its last close empties the WAL
                return
        _log.warning(
            "the WAL stayed busy for 10 minutes after an erasure; it is emptied at the "
            "next erasure or when the last connection closes"
        )

    threading.Thread(target=retry, name="kunde-erasure-wal", daemon=True).start()


def erase_customer(
    store: Store, settings: Settings, actor: Actor, customer_id: str, *, vacuum: bool = False
) -> dict[str, Any]:
    """Erase the customer everywhere kunde keeps data (see the module docstring).

    Returns:
        ``{"pseudonym", "rows": {table: n}, "files_rewritten", "files_removed",
        "expired_lines_purged", "wal_emptied"}``; file paths relative to the data dir.

    Raises:
        NotFoundError: no table holds anything of the customer.
        ConfigurationError: a table has personal-looking columns no erasure rule covers.
    """
    require_known(store, customer_id)
    now = datetime.now(UTC).replace(tzinfo=None)
    years = settings.bookkeeping_retention_years
    erased = store.rights.erase(
        customer_id,
        pseudonym=new_pseudonym(),
        subject_digest=subject_digest(settings.secret_key, customer_id),
        now=now,
        retention_cutoff=retention_cutoff(now, years),
        retention_years=years,
    )
    snapshot = value_snapshot.discard(settings)  # every customer's ids: deleted outright
    files = scrub_directory(settings.data_dir, erased.identifiers)
    if snapshot is not None:
        files.removed.append(snapshot)
    purged = store.rights.purge_expired(now.date())
    details = {
        "pseudonym": erased.pseudonym,
        "rows": erased.rows,
        "files_rewritten": len(files.rewritten),
        "files_removed": len(files.removed),
    }
    # no customer id, and a reason without anything that names the person
    reason = redact(actor.reason, erased.identifiers) if actor.reason else None
    entry = audit_entry(replace(actor, reason=reason), AuditAction.ERASE, None, now, **details)
    store.audit.append([entry])
    emptied = store.rights.scrub_free_space(vacuum=vacuum)
    if not emptied:
        _scrub_when_readers_end(store)
    root = settings.data_dir
    return {
        "pseudonym": erased.pseudonym,
        "rows": erased.rows,
        "files_rewritten": [str(p.relative_to(root)) for p in files.rewritten],
        "files_removed": [str(p.relative_to(root)) for p in files.removed],
        "expired_lines_purged": purged,
        "wal_emptied": emptied,
    }
