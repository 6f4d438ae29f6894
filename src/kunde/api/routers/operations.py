"""``GET /healthz`` and ``GET /metrics`` (no API key)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from kunde.api.deps import EngineDep, MetricsDep
from kunde.api.metrics import CONTENT_TYPE_LATEST
from kunde.api.schemas import HealthOut

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get(
    "/healthz",
    responses={503: {"model": HealthOut, "description": "The database is down or outdated."}},
)
def healthz(engine: EngineDep, response: Response) -> HealthOut:
    """Whether the database answers and its schema is current (503 otherwise). No key needed."""
    health = HealthOut.model_validate(engine.health())
    if health.status != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return health


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text."}},
)
def metrics(metrics: MetricsDep) -> Response:
    """Prometheus metrics: requests and latency per route and status, ingested items.

    No key needed (as scrapers expect); nothing in it identifies a customer.
    """
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
