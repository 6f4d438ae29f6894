"""``PUT /v1/customers/{customer_id}``: create or replace a profile."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from kunde.api.body import request_body_openapi
from kunde.api.deps import CustomerId, EngineDep, PersonalDataWriter, ProfileBody
from kunde.api.routers._responses import errors
from kunde.api.schemas import CustomerOut
from kunde.identity import CustomerProfile

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["customers"])


@router.put(
    "/customers/{customer_id}",
    responses={
        201: {"model": CustomerOut, "description": "The profile was created."},
        **errors(401, 403, 409, 413, 422),
    },
    openapi_extra=request_body_openapi(
        [CustomerProfile],
        "The whole profile (fields left out become empty); customer_id may be left out.",
    ),
)
def put_customer(
    actor: PersonalDataWriter,
    customer_id: CustomerId,
    profile: ProfileBody,
    engine: EngineDep,
    response: Response,
) -> CustomerOut:
    """Create or replace a customer's profile: names, salutation, language, formality, e-mail,
    phone, delivery and billing addresses, communication preferences per channel.

    A PUT carries the whole profile: fields it leaves out become empty. 201 when kunde did not
    know the customer (no profile, no orders), 200 when it replaced or completed what it had.
    Roles ``admin`` and ``staff``; every change is audited (field names, not values).
    """
    customer, created = engine.put_profile(actor, profile)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return CustomerOut.model_validate(customer)
