"""``GET /v1/customers/{customer_id}/timeline``: one timeline across touchpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from kunde.api.deps import CustomerId, EngineDep, PersonalDataReader
from kunde.api.errors import validation_error
from kunde.api.routers._responses import errors
from kunde.api.schemas_identity import TimelineOut
from kunde.errors import InvalidFieldError

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["customers"])


@router.get("/customers/{customer_id}/timeline", responses=errors(401, 403, 404, 422))
def get_timeline(
    principal: PersonalDataReader,
    customer_id: CustomerId,
    engine: EngineDep,
    touchpoint: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=32,
            description="Only this touchpoint: web, app, store, call_centre, email, ...",
        ),
    ] = None,
    since: Annotated[datetime | None, Query(description="Only at or after this time.")] = None,
    until: Annotated[datetime | None, Query(description="Only before this time.")] = None,
    cursor: Annotated[
        str | None, Query(min_length=1, max_length=512, description="The previous next_cursor.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
) -> TimelineOut:
    """Everything the customer did across web, app, store, call centre and e-mail, newest first.

    Covers the whole profile (merged customers), anonymous events stitched through linked
    anonymous or device ids, orders (with lines), returns and consent changes. Each item has a
    ``phase`` relative to the profile's purchases: ``during`` within 1 hour of a purchase,
    otherwise ``after`` (at most 30 days after the previous purchase) or ``before`` (at most
    14 days before the next one), whichever purchase is nearer; none outside these windows.
    Times without a zone are UTC. Roles ``admin`` and ``staff``; audited.
    """
    try:
        page = engine.timeline(
            customer_id, touchpoint=touchpoint, since=since, until=until, cursor=cursor, limit=limit
        )
    except InvalidFieldError as exc:  # every field of this route is a query parameter
        raise validation_error(("query", exc.field), exc.detail, "invalid_field") from None
    return TimelineOut.model_validate(page)
