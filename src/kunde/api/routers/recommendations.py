"""Recommendations: "also bought", complements and a customer's page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from kunde.api.deps import CustomerId, EngineDep, ProductId, ProductReader, RecommendationReader
from kunde.api.inline import inline_or_thread
from kunde.api.routers._responses import errors
from kunde.api.schemas_recommend import ProductListOut, RecommendationsOut

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["recommendations"])

K = Annotated[int, Query(ge=1, le=100, description="Number of products.")]
ContextProducts = Annotated[
    list[Annotated[str, Query(min_length=1, max_length=64)]],
    Query(
        alias="product_id",
        max_length=50,
        description="Products on the page (context=product) or in the cart (context=cart); "
        "repeat the parameter for several.",
    ),
]


@router.get("/products/{product_id}/also-bought", responses=errors(401, 403, 404, 409, 422))
async def get_also_bought(
    principal: ProductReader, product_id: ProductId, engine: EngineDep, k: K = 10
) -> ProductListOut:
    """Customers who bought this also bought: co-purchase in all orders (anonymous ones too).

    No personal data: every role may read it. 409 until ``kunde train`` ran once.
    """
    # SQLite and the model in memory: no thread hop
    inline = engine.recommendations_inline()
    return ProductListOut.model_validate(
        await inline_or_thread(inline, engine.also_bought, product_id, k)
    )


@router.get("/products/{product_id}/complements", responses=errors(401, 403, 404, 409, 422))
async def get_complements(
    principal: ProductReader, product_id: ProductId, engine: EngineDep, k: K = 10
) -> ProductListOut:
    """Products of other categories that go with this one (cross-category lift)."""
    inline = engine.recommendations_inline()
    return ProductListOut.model_validate(
        await inline_or_thread(inline, engine.complements, product_id, k)
    )


@router.get(
    "/customers/{customer_id}/recommendations",
    response_model=RecommendationsOut,
    responses=errors(401, 403, 404, 409, 422),
)
async def get_recommendations(
    principal: RecommendationReader,
    customer_id: CustomerId,
    engine: EngineDep,
    k: K = 10,
    context: Literal["home", "product", "cart"] = "home",
    product_ids: ContextProducts = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    """A customer's page, following the shop's feed rules.

    Personal (from their own purchases, gifts left out) only with the customer's
    ``personalization`` consent; otherwise, and for new customers, popular products of their
    segment plus editorial picks, and ``personal`` is false. Roles ``admin`` and ``staff``
    (audited) and ``integration`` (the shop backend).
    """
    # The page comes as JSON bytes built from plain values (the schema above documents it).
    # On SQLite with the model in memory the request runs in the event loop: one short read
    # of the customer's state, and the page itself only when the page cache lacks it. A model
    # to load or check, or a database over the network, goes to a thread.
    inline = engine.recommendations_inline()
    page = await inline_or_thread(
        inline, engine.recommendations_json, customer_id, k, context, product_ids
    )
    return Response(page, media_type="application/json")
