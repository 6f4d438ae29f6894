"""``GET`` and ``POST /v1/customers/{customer_id}/consents``: the consent ledger."""

from __future__ import annotations

from fastapi import APIRouter, status

from kunde.api.body import request_body_openapi
from kunde.api.deps import (
    ConsentRecorder,
    ConsentsBody,
    CustomerId,
    EngineDep,
    PersonalDataReader,
)
from kunde.api.routers._responses import errors
from kunde.api.schemas_privacy import (
    ConsentEntryOut,
    ConsentsBatch,
    ConsentsOut,
    ConsentsRecordedOut,
    ConsentStateOut,
)
from kunde.privacy import ConsentChange

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["consents"])


@router.get("/customers/{customer_id}/consents", responses=errors(401, 403, 404, 422))
def get_consents(
    principal: PersonalDataReader, customer_id: CustomerId, engine: EngineDep
) -> ConsentsOut:
    """The current consent state of every purpose and the ledger it derives from.

    A purpose without any entry is not granted. Roles ``admin`` and ``staff``; audited.
    """
    current, history = engine.consents(customer_id)
    return ConsentsOut(
        customer_id=customer_id,
        current=[ConsentStateOut.model_validate(state) for state in current],
        history=[ConsentEntryOut.model_validate(entry) for entry in history],
    )


@router.post(
    "/customers/{customer_id}/consents",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 409, 413, 422),
    openapi_extra=request_body_openapi(
        [ConsentChange, ConsentsBatch],
        'One consent change, or several as {"consents": [...]} (appended in order).',
    ),
)
def post_consents(
    actor: ConsentRecorder, customer_id: CustomerId, changes: ConsentsBody, engine: EngineDep
) -> ConsentsRecordedOut:
    """Append grants and withdrawals to the customer's consent ledger (never changes an entry).

    Roles ``admin``, ``staff`` and ``integration`` (a shop's checkout records the consent it
    asked for); ``integration`` cannot read the ledger back. The customer need not be known
    yet (the checkout's order may arrive later).
    """
    entries = engine.record_consents(actor, customer_id, changes)
    return ConsentsRecordedOut(
        customer_id=customer_id, recorded=[ConsentEntryOut.model_validate(e) for e in entries]
    )
