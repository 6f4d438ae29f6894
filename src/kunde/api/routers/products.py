"""``POST /v1/products`` and ``GET /v1/products/{product_id}``."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from kunde.api.body import request_body_openapi
from kunde.api.deps import DataWriter, EngineDep, MetricsDep, ProductId, ProductReader, ProductsBody
from kunde.api.inline import inline_or_thread
from kunde.api.routers._responses import errors
from kunde.api.schemas import ProductOut, ProductsBatch, ProductsOut
from kunde.catalog import ProductIn

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["products"])


@router.post(
    "/products",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ProductsOut, "description": "Every product existed already."},
        **errors(401, 403, 413, 422),
    },
    openapi_extra=request_body_openapi(
        [ProductIn, ProductsBatch], 'One product, or several as {"products": [...]}.'
    ),
)
def post_products(
    principal: DataWriter,
    products: ProductsBody,
    engine: EngineDep,
    metrics: MetricsDep,
    response: Response,
) -> ProductsOut:
    """Create or update products (a posted product replaces the stored fields).

    201 when at least one product is new, 200 when all existed. When a product appears
    several times in one request, the last one wins.
    """
    created, updated = engine.upsert_products(products)
    unchanged = len({product.product_id for product in products}) - created - updated
    metrics.count_ingested("products", created=created, updated=updated, unchanged=unchanged)
    if not created:
        response.status_code = status.HTTP_200_OK
    return ProductsOut(created=created, updated=updated, unchanged=unchanged)


@router.get("/products/{product_id}", responses=errors(401, 403, 404, 422))
async def get_product(
    principal: ProductReader, product_id: ProductId, engine: EngineDep
) -> ProductOut:
    """One product of the catalog (no personal data: every role may read it)."""
    # one indexed read of a local SQLite file: no thread hop
    product = await inline_or_thread(engine.reads_inline(), engine.get_product, product_id)
    return ProductOut.model_validate(product)
