"""``POST /v1/orders``."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from kunde.api.body import request_body_openapi
from kunde.api.deps import DataWriter, EngineDep, MetricsDep, OrdersBody
from kunde.api.routers._responses import errors
from kunde.api.schemas import OrdersBatch, OrdersOut
from kunde.orders import OrderIn

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["orders"])


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": OrdersOut, "description": "Every order was already stored unchanged."},
        **errors(401, 403, 409, 413, 422),
    },
    openapi_extra=request_body_openapi(
        [OrderIn, OrdersBatch], 'One order, or a batch of orders as {"orders": [...]}.'
    ),
)
def post_orders(
    principal: DataWriter,
    orders: OrdersBody,
    engine: EngineDep,
    metrics: MetricsDep,
    response: Response,
) -> OrdersOut:
    """Store orders; idempotent by ``order_id``.

    201 when at least one order is new, 200 when all were already stored with the same content
    (a retry changes nothing). An ``order_id`` re-posted with different content is a 409 and
    nothing of the request is stored.
    """
    result = engine.add_orders(orders)
    metrics.count_ingested("orders", created=len(result.created), unchanged=len(result.unchanged))
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return OrdersOut(created=result.created, unchanged=result.unchanged)
