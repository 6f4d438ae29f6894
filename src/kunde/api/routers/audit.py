"""``GET /v1/audit``: the audit trail (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from kunde.api.deps import AuditReader, EngineDep
from kunde.api.routers._responses import errors
from kunde.api.schemas_privacy import AuditEntryOut, AuditPageOut

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["audit"])


@router.get("/audit", responses=errors(401, 403, 422))
def get_audit(
    principal: AuditReader,
    engine: EngineDep,
    customer_id: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Only about this customer.")
    ] = None,
    since: Annotated[datetime | None, Query(description="Only at or after this time.")] = None,
    until: Annotated[datetime | None, Query(description="Only before this time.")] = None,
    before: Annotated[
        int | None, Query(ge=1, le=2**62, description="The previous page's next_before.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Entries per page.")] = 100,
) -> AuditPageOut:
    """Who read or changed whose personal data, when and why; newest first, paginated.

    Times without a zone are UTC. Only the role ``admin`` may read the trail.
    """
    entries, next_before = engine.audit_trail(
        customer_id=customer_id, since=since, until=until, before=before, limit=limit
    )
    return AuditPageOut(
        entries=[AuditEntryOut.model_validate(e) for e in entries], next_before=next_before
    )
