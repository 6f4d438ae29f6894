"""``POST /v1/identify`` and ``POST /v1/merges/{merge_id}/undo``: the identity graph."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam

from kunde.api.body import request_body_openapi
from kunde.api.deps import EngineDep, IdentifierLinker, IdentifyBody, PersonalDataWriter
from kunde.api.routers._responses import errors
from kunde.api.schemas_identity import IdentifiedOut, MergeUndoneOut
from kunde.identity import IdentifyIn

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["identity"])

MergeId = Annotated[int, PathParam(ge=1, le=2**62, description="The merge's id.")]


@router.post(
    "/identify",
    responses=errors(401, 403, 409, 413, 422),
    openapi_extra=request_body_openapi(
        [IdentifyIn], "A customer and the identifiers seen with them (at most 50)."
    ),
)
def post_identify(
    actor: IdentifierLinker, request: IdentifyBody, engine: EngineDep
) -> IdentifiedOut:
    """Link identifiers seen with a customer (login, checkout, app sign-in, loyalty card scan).

    Identifiers are normalised first (e-mail lower-cased, phone numbers as ``+<digits>``).
    Anonymous events under a linked ``anonymous_id`` or ``device_id``, and an anonymous order
    claimed with an ``order_id`` identifier, join the customer's timeline. An identifier (other
    than ``order_id``) already linked to another customer merges the two profiles; the
    customer of this request survives. Not merged, and listed in ``refused`` with the reason:
    an identifier already linked to more than ``KUNDE_IDENTITY_MAX_PROFILES`` customers
    (default 3: a shared device), and profiles whose merge was undone before.
    Roles ``admin``, ``staff`` and ``integration``; links and merges are audited.
    """
    return IdentifiedOut.model_validate(engine.identify(actor, request))


@router.post("/merges/{merge_id}/undo", responses=errors(401, 403, 404, 409, 422))
def post_undo_merge(
    actor: PersonalDataWriter, merge_id: MergeId, engine: EngineDep
) -> MergeUndoneOut:
    """Undo a merge: both profiles, with their identifiers and histories, are apart again.

    Nothing was rewritten by the merge, so nothing is lost by the unmerge. The two profiles
    are not merged again automatically through the identifier they share.
    Roles ``admin`` and ``staff``; audited. 409 when the merge was undone already.
    """
    return MergeUndoneOut.model_validate(engine.undo_merge(actor, merge_id))
