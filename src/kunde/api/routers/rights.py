"""The customer's rights, exercised by the shop: customer tokens, export and erasure."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import StreamingResponse

from kunde.api.deps import CustomerId, EngineDep, Eraser, Exporter, TokenIssuer
from kunde.api.routers._download import ZIP_RESPONSE, zip_download
from kunde.api.routers._responses import errors
from kunde.api.schemas_rights import CustomerTokenOut, ErasureOut

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["rights"])


@router.post(
    "/customers/{customer_id}/token",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 403, 404, 422),
)
def post_customer_token(
    actor: TokenIssuer,
    customer_id: CustomerId,
    engine: EngineDep,
    ttl_seconds: Annotated[
        int | None,
        Query(
            ge=60,
            le=7 * 24 * 3600,
            description="Lifetime; default KUNDE_CUSTOMER_TOKEN_TTL_SECONDS (1 h), "
            "at most KUNDE_CUSTOMER_TOKEN_MAX_TTL_SECONDS.",
        ),
    ] = None,
) -> CustomerTokenOut:
    """Issue a signed, expiring token with which the customer reads and changes only their
    own data under `/v1/me` (e.g. a link from the shop's account page).

    Roles `admin` and `staff`; audited.
    """
    token = engine.issue_customer_token(actor, customer_id, ttl_seconds)
    return CustomerTokenOut(
        token=token.token, customer_id=token.customer_id, expires_at=token.expires_at
    )


@router.delete(
    "/customers/{customer_id}/tokens",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(401, 403, 404, 422),
)
def delete_customer_tokens(actor: TokenIssuer, customer_id: CustomerId, engine: EngineDep) -> None:
    """Revoke every customer token issued to the customer so far (e.g. a lost phone): each of
    them gets 401 on `/v1/me` from now on; tokens issued afterwards work.

    Roles `admin` and `staff`; audited.
    """
    engine.revoke_customer_tokens(actor, customer_id)


@router.get(
    "/customers/{customer_id}/export",
    response_class=StreamingResponse,
    responses={**ZIP_RESPONSE, **errors(401, 403, 404, 422)},
)
def get_export(actor: Exporter, customer_id: CustomerId, engine: EngineDep) -> StreamingResponse:
    """All personal data of the customer as a zip: JSON (profile, identifiers, consent ledger,
    payment methods, interests, value prediction, data inventory), CSV (order lines, events)
    and a README.txt explaining each file.

    Roles `admin` and `staff`; audited.
    """
    return zip_download(
        lambda target: engine.export_customer(actor, customer_id, target), "kunde-export.zip"
    )


@router.delete("/customers/{customer_id}", responses=errors(401, 403, 404, 422))
def delete_customer(actor: Eraser, customer_id: CustomerId, engine: EngineDep) -> ErasureOut:
    """Erase the customer: from every table, from files under the data directory and from the
    write-ahead log; order lines within bookkeeping retention are kept under a random
    pseudonym. Afterwards the customer is unknown (404) everywhere.

    Role `admin` only; the audit entry does not name the customer.
    """
    return ErasureOut.model_validate(engine.erase_customer(actor, customer_id))
