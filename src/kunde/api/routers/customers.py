"""``GET /v1/customers/{customer_id}``."""

from __future__ import annotations

from fastapi import APIRouter

from kunde.api.deps import CustomerId, EngineDep, PersonalDataReader
from kunde.api.routers._responses import errors
from kunde.api.schemas import CustomerOut

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["customers"])


@router.get("/customers/{customer_id}", responses=errors(401, 403, 404, 422))
def get_customer(
    principal: PersonalDataReader, customer_id: CustomerId, engine: EngineDep
) -> CustomerOut:
    """A customer's profile, identifiers and purchase summary, seen through merges.

    Profile fields are the customer's own; identifiers and the purchase summary cover the whole
    profile (every customer merged with this one), listed in ``merges``.
    Personal data: only the roles ``admin`` and ``staff`` may read it.
    """
    return CustomerOut.model_validate(engine.customer_profile(customer_id))
