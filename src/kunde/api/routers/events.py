"""``POST /v1/events``."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from kunde.api.body import request_body_openapi
from kunde.api.deps import DataWriter, EngineDep, EventsBody, MetricsDep
from kunde.api.routers._responses import errors
from kunde.api.schemas import EventsBatch, EventsOut

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["events"])


@router.post(
    "/events",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": EventsOut, "description": "Every event was already stored."},
        **errors(401, 403, 409, 413, 422),
    },
    openapi_extra=request_body_openapi(
        [EventsBatch], 'Behavioural events as {"events": [...]}, each with its own event_id.'
    ),
)
def post_events(
    principal: DataWriter,
    events: EventsBody,
    engine: EngineDep,
    metrics: MetricsDep,
    response: Response,
) -> EventsOut:
    """Store behavioural events; idempotent by ``event_id`` (known ids are counted, not stored).

    201 when at least one event is new, 200 when all were known.
    """
    stored, duplicates = engine.add_events(events)
    metrics.count_ingested("events", stored=stored, duplicate=duplicates)
    if not stored:
        response.status_code = status.HTTP_200_OK
    return EventsOut(stored=stored, duplicates=duplicates)
