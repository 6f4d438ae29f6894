"""``/v1/customers/{customer_id}/payment-methods``: provider tokens, never card numbers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from kunde.api.body import request_body_openapi
from kunde.api.deps import (
    CustomerId,
    EngineDep,
    PaymentMethodBody,
    PersonalDataReader,
    PersonalDataWriter,
)
from kunde.api.routers._responses import errors
from kunde.api.schemas_privacy import PaymentMethodOut, PaymentMethodsOut
from kunde.privacy import PaymentMethodIn

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["payment methods"])

PaymentMethodId = Annotated[
    str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$", description="kunde's id.")
]


@router.post(
    "/customers/{customer_id}/payment-methods",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": PaymentMethodOut, "description": "This token was saved already."},
        **errors(401, 403, 404, 409, 413, 422),
    },
    openapi_extra=request_body_openapi(
        [PaymentMethodIn], "A payment service provider's token (never a card number)."
    ),
)
def post_payment_method(
    actor: PersonalDataWriter,
    customer_id: CustomerId,
    method: PaymentMethodBody,
    engine: EngineDep,
    response: Response,
) -> PaymentMethodOut:
    """Save a payment method as the token a payment service provider issued.

    Anything that looks like a card number (13-19 digits, grouped or not, passing the Luhn
    check) in any field is refused with a 422 naming the field; it is neither stored nor
    logged nor repeated in the answer. The same provider token again is a 200 and changes
    nothing. Roles ``admin`` and ``staff``; audited.
    """
    saved, created = engine.add_payment_method(actor, customer_id, method)
    if not created:
        response.status_code = status.HTTP_200_OK
    return PaymentMethodOut.model_validate(saved)


@router.get("/customers/{customer_id}/payment-methods", responses=errors(401, 403, 404, 422))
def get_payment_methods(
    principal: PersonalDataReader, customer_id: CustomerId, engine: EngineDep
) -> PaymentMethodsOut:
    """A customer's saved payment methods (roles ``admin`` and ``staff``; the read is audited)."""
    methods = engine.payment_methods(customer_id)
    return PaymentMethodsOut(
        customer_id=customer_id,
        payment_methods=[PaymentMethodOut.model_validate(m) for m in methods],
    )


@router.delete(
    "/customers/{customer_id}/payment-methods/{payment_method_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(401, 403, 404, 422),
)
def delete_payment_method(
    actor: PersonalDataWriter,
    customer_id: CustomerId,
    payment_method_id: PaymentMethodId,
    engine: EngineDep,
) -> None:
    """Remove a saved payment method for good (roles ``admin`` and ``staff``; audited)."""
    engine.remove_payment_method(actor, customer_id, payment_method_id)
