"""The customer's control over their feed, and the shop's editorial picks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from kunde.api.deps import (
    CustomerId,
    EditorialBody,
    EditorialManager,
    EngineDep,
    PersonalDataReader,
    PersonalDataWriter,
)
from kunde.api.routers._responses import errors
from kunde.api.schemas_recommend import EditorialOut, PersonalizationOut

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["personalization"])

Category = Annotated[
    str, Path(min_length=1, max_length=255, description="A feed category, e.g. 'Garden > Seeds'.")
]


@router.get("/customers/{customer_id}/personalization", responses=errors(401, 403, 404, 409, 422))
def get_personalization(
    principal: PersonalDataReader, customer_id: CustomerId, engine: EngineDep
) -> PersonalizationOut:
    """The interests inferred from the customer's purchases, with the purchases behind each.

    Roles ``admin`` and ``staff``; audited.
    """
    return PersonalizationOut.model_validate(engine.interests(customer_id))


@router.delete(
    "/customers/{customer_id}/personalization/interests/{category:path}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404, 409, 422),
)
def delete_interest(
    actor: PersonalDataWriter, customer_id: CustomerId, category: Category, engine: EngineDep
) -> None:
    """Remove one interest: its category no longer shapes the feed, from the next request on.

    Roles ``admin`` and ``staff``; audited.
    """
    engine.remove_interest(actor, customer_id, category)


@router.post(
    "/customers/{customer_id}/personalization/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404, 422),
)
def post_reset(actor: PersonalDataWriter, customer_id: CustomerId, engine: EngineDep) -> None:
    """Reset every interest: only purchases from now on shape the feed (next request on).

    Roles ``admin`` and ``staff``; audited.
    """
    engine.reset_personalization(actor, customer_id)


@router.get("/editorial", responses=errors(401, 403))
def get_editorial(principal: EditorialManager, engine: EngineDep) -> EditorialOut:
    """The editorial picks (roles ``admin`` and ``staff``)."""
    return EditorialOut.model_validate(engine.editorial())


@router.put("/editorial", responses=errors(401, 403, 404, 413, 422))
def put_editorial(
    principal: EditorialManager, body: EditorialBody, engine: EngineDep
) -> EditorialOut:
    """Replace the editorial picks; ``share`` of every feed's slots goes to them.

    Unknown products are a 404. Effective on the next request (roles ``admin`` and ``staff``).
    """
    return EditorialOut.model_validate(engine.put_editorial(body.product_ids, body.share))
