"""``/v1/me``: the customer's own data, with a customer token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter

from kunde.api.body import request_body_openapi
from kunde.api.deps import ConsentsBody, EngineDep, MeDep, ProfileChangesBody
from kunde.api.routers._download import ZIP_RESPONSE, zip_download
from kunde.api.routers._responses import errors
from kunde.api.routers.payment_methods import PaymentMethodId
from kunde.api.schemas import CustomerOut
from kunde.api.schemas_privacy import ConsentEntryOut, ConsentsBatch, ConsentsRecordedOut
from kunde.api.schemas_rights import MeOut
from kunde.identity import CustomerProfile
from kunde.privacy import ConsentChange

__all__ = ["router"]

router = APIRouter(prefix="/v1/me", tags=["me"])


def _profile_changes_openapi() -> dict[str, Any]:
    schema = TypeAdapter(CustomerProfile).json_schema(ref_template="#/components/schemas/{model}")
    schema["properties"].pop("customer_id", None)
    schema["required"] = []
    schema["title"] = "ProfileChanges"
    extra = request_body_openapi([CustomerProfile], "The profile fields to change.")
    extra["requestBody"]["content"]["application/json"]["schema"] = {
        k: v for k, v in schema.items() if k != "$defs"
    }
    return extra


@router.get("", responses=errors(401, 404))
def get_me(me: MeDep, engine: EngineDep) -> MeOut:
    """What the shop stores about you, for which purpose, with what benefit to you and for how
    long; your profile and preferences, consents, inferred interests and payment methods."""
    return MeOut.model_validate(engine.me(me.customer_id))


@router.put("", responses=errors(401, 404, 413, 422), openapi_extra=_profile_changes_openapi())
def put_me(me: MeDep, changes: ProfileChangesBody, engine: EngineDep) -> CustomerOut:
    """Change your profile and communication preferences; fields you leave out stay as they
    are. Audited with you as the actor."""
    return CustomerOut.model_validate(engine.update_me(me.actor, me.customer_id, changes))


@router.post(
    "/consents",
    status_code=status.HTTP_201_CREATED,
    responses=errors(401, 404, 413, 422),
    openapi_extra=request_body_openapi(
        [ConsentChange, ConsentsBatch], 'One consent change, or several as {"consents": [...]}.'
    ),
)
def post_my_consents(me: MeDep, changes: ConsentsBody, engine: EngineDep) -> ConsentsRecordedOut:
    """Give or withdraw consent for a purpose (appended to your ledger; audited)."""
    entries = engine.record_consents(me.actor, me.customer_id, changes)
    return ConsentsRecordedOut(
        customer_id=me.customer_id, recorded=[ConsentEntryOut.model_validate(e) for e in entries]
    )


@router.delete(
    "/token",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(401, 404),
)
def delete_my_token(me: MeDep, engine: EngineDep) -> None:
    """End this session: the customer token of this request stops working (401 from now on);
    other tokens stay valid. Audited."""
    engine.revoke_own_token(me.actor, me.token)


@router.delete(
    "/payment-methods/{payment_method_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(401, 404, 422),
)
def delete_my_payment_method(
    me: MeDep, payment_method_id: PaymentMethodId, engine: EngineDep
) -> None:
    """Remove one of your saved payment methods (audited)."""
    engine.remove_payment_method(me.actor, me.customer_id, payment_method_id)


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={**ZIP_RESPONSE, **errors(401, 404)},
)
def get_my_export(me: MeDep, engine: EngineDep) -> StreamingResponse:
    """Download everything the shop stores about you as a zip with a README.txt (audited)."""
    return zip_download(
        lambda target: engine.export_customer(me.actor, me.customer_id, target), "my-data.zip"
    )
