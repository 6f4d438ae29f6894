"""``GET /v1/customers/{customer_id}/value`` and ``GET /v1/segments``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kunde.api.deps import AggregateReader, CustomerId, EngineDep, PersonalDataReader
from kunde.api.routers._responses import errors
from kunde.api.schemas_value import CustomerValueOut, SegmentsOut

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["value"])

HorizonDays = Annotated[int, Query(ge=0, le=3650, description="Days to predict.")]


@router.get("/customers/{customer_id}/value", responses=errors(401, 403, 404, 409, 422))
def get_customer_value(
    principal: PersonalDataReader,
    customer_id: CustomerId,
    engine: EngineDep,
    horizon_days: HorizonDays = 365,
) -> CustomerValueOut:
    """A customer's P(alive), expected purchases, expected value and segment.

    Personal data: only the roles ``admin`` and ``staff`` may read it. 409 until the value
    models are fitted (``kunde value fit``).
    """
    return CustomerValueOut.model_validate(engine.customer_value(customer_id, horizon_days))


@router.get("/segments", responses=errors(401, 403, 409, 422))
def get_segments(
    principal: AggregateReader, engine: EngineDep, horizon_days: HorizonDays = 365
) -> SegmentsOut:
    """Customers and predicted value per segment: aggregates, readable by analysts too."""
    return SegmentsOut.model_validate(engine.segments(horizon_days))
