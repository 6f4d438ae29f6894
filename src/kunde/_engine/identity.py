"""Linking identifiers, merging and unmerging profiles, resolving customer ids to profiles.

Each change is written together with its audit entries in one transaction, planned on the state
it changes (:meth:`kunde.store.identity.IdentityRepository.lock`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from kunde._engine.customers import get_customer
from kunde._engine.erased_guard import refuse_erased
from kunde._engine.privacy import audit_entry as _audit
from kunde.config import Settings
from kunde.errors import ConflictError, InvalidFieldError, NotFoundError
from kunde.identity import (
    Identifier,
    IdentifyIn,
    Resolution,
    normalise_identifier,
    plan_identify,
)
from kunde.privacy import Actor, AuditAction
from kunde.store import Store
from kunde.store.value import BUMP_CUSTOMER_DAYS_VERSION

__all__ = ["customer_with_profile", "identify", "resolve_customers", "undo_merge"]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def normalised(request: IdentifyIn, country_code: str) -> list[Identifier]:
    """The request's identifiers in their comparable form.

    Raises:
        InvalidFieldError: an identifier's value is not of its kind's shape
            (named ``identifiers[i].value``; the value is not repeated).
    """
    found: list[Identifier] = []
    for i, given in enumerate(request.identifiers):
        try:
            value = normalise_identifier(given.kind, given.value, country_code)
        except ValueError as exc:
            raise InvalidFieldError(f"identifiers[{i}].value", str(exc)) from None
        found.append(Identifier(kind=given.kind, value=value))
    return found


def identify(store: Store, settings: Settings, actor: Actor, request: IdentifyIn) -> dict[str, Any]:
    """Link identifiers to a customer; merge profiles they show to be one person.

    See :func:`kunde.identity.plan_identify` for the rules (shared-device guard, undone merges).
    The customer is created (without personal data) when kunde does not know them yet.

    Returns:
        ``{customer_id, profile_id, linked, already_linked, merged, refused}``.

    Raises:
        ErasedCustomerError: the customer was erased (nothing new is stored about them).
    """
    refuse_erased(store, settings.secret_key, [("customer_id", request.customer_id)])
    wanted = normalised(request, settings.phone_country_code)
    target = request.customer_id
    at = _now()
    with store.db.begin() as conn:
        store.identity.lock(conn)
        links = store.identity.links(wanted, conn)
        involved = {target, *(c for linked in links.values() for c in linked)}
        resolution = store.identity.resolution_of(involved, conn)
        members = {m for c in involved for m in resolution.members(c)}
        undone = store.identity.undone_pairs(members, conn)
        plan = plan_identify(
            target, wanted, links, resolution, undone, settings.identity_max_profiles
        )
        store.identity.link(target, plan.new_links, at, conn)
        merge_ids = store.identity.add_merges(
            plan.merges, "identify: shared identifier", at, actor.label, conn
        )
        if merge_ids:  # value scores group merged customers: their cache must go
            conn.exec_driver_sql(BUMP_CUSTOMER_DAYS_VERSION)
        merged = [
            {
                "merge_id": merge_id,
                "survivor": merge.survivor,
                "absorbed": merge.absorbed,
                "kind": merge.identifier.kind.value,
                "value": merge.identifier.value,
            }
            for merge_id, merge in zip(merge_ids, plan.merges, strict=True)
        ]
        refused = [
            {
                "kind": r.identifier.kind.value,
                "value": r.identifier.value,
                "customer_id": r.customer_id,
                "reason": r.reason,
                "message": r.message,
            }
            for r in plan.refusals
        ]
        entries = [
            _audit(
                actor,
                AuditAction.IDENTITY_LINK,
                target,
                at,
                linked=[i.kind.value for i in plan.new_links],
                merge_ids=merge_ids,
                refused=[{"kind": r["kind"], "reason": r["reason"]} for r in refused],
            )
        ]
        # Each side's entry names the merge, not the other customer: erasing one of them
        # (which deletes the merge row) leaves nothing in the other's trail that points back.
        for merge_id, merge in zip(merge_ids, plan.merges, strict=True):
            kind = merge.identifier.kind.value
            entries += [
                _audit(
                    actor,
                    AuditAction.IDENTITY_MERGE,
                    cid,
                    at,
                    merge_id=merge_id,
                    side=side,
                    kind=kind,
                )
                for cid, side in ((merge.survivor, "survivor"), (merge.absorbed, "absorbed"))
            ]
        store.audit.append(entries, conn=conn)
        profile = store.identity.resolution_of([target], conn).profile_of(target)
    return {
        "customer_id": target,
        "profile_id": profile,
        "linked": [i.model_dump(mode="json") for i in plan.new_links],
        "already_linked": [i.model_dump(mode="json") for i in plan.already_linked],
        "merged": merged,
        "refused": refused,
    }


def undo_merge(store: Store, actor: Actor, merge_id: int) -> dict[str, Any]:
    """Undo a merge: both profiles, with their identifiers and histories, are apart again.

    Raises:
        NotFoundError: there is no merge with this id.
        ConflictError: the merge was undone already.
    """
    at = _now()
    with store.db.begin() as conn:
        store.identity.lock(conn)
        merge = store.identity.merge(merge_id, conn)
        if merge is None:
            raise NotFoundError(f"There is no merge with id {merge_id}.")
        if not store.identity.undo(merge_id, at, actor.label, conn):
            raise ConflictError(f"Merge {merge_id} was undone already, at {merge['undone_at']}.")
        conn.exec_driver_sql(BUMP_CUSTOMER_DAYS_VERSION)  # value scores see the two apart
        survivor, absorbed = merge["customer_id"], merge["absorbed_customer_id"]
        store.audit.append(
            [
                _audit(actor, AuditAction.IDENTITY_UNMERGE, cid, at, merge_id=merge_id, side=side)
                for cid, side in ((survivor, "survivor"), (absorbed, "absorbed"))
            ],
            conn=conn,
        )
        resolution = store.identity.resolution_of([survivor, absorbed], conn)
    return {
        "merge_id": merge_id,
        "survivor": survivor,
        "absorbed": absorbed,
        "undone_at": at,
        "survivor_profile_id": resolution.profile_of(survivor),
        "absorbed_profile_id": resolution.profile_of(absorbed),
    }


def resolve_customers(
    store: Store, customer_ids: Iterable[str] | npt.ArrayLike
) -> npt.NDArray[np.object_]:
    """The profile id of each customer id (one query over the active merges, then vectorised).

    A customer id that was never merged into another profile is its own profile id.
    """
    return store.identity.resolution().resolve(customer_ids)


def resolution(store: Store) -> Resolution:
    """The current :class:`~kunde.identity.Resolution` (one query)."""
    return store.identity.resolution()


def customer_with_profile(store: Store, customer_id: str) -> dict[str, object]:
    """One customer as :func:`~kunde._engine.customers.get_customer`, seen through merges.

    Profile fields are the customer's own; ``identifiers`` (each with its ``customer_id``) and
    ``summary`` cover the whole profile; ``profile_id`` is the profile the customer belongs to,
    ``merged_into`` the survivor when the customer was merged into another profile, and
    ``merges`` the active merges that make up the profile.

    Raises:
        NotFoundError: kunde knows nothing about ``customer_id``.
    """
    result = get_customer(store, customer_id)
    members = store.identity.resolution_of([customer_id]).members(customer_id)
    profile = members[0]
    result["profile_id"] = profile
    result["merged_into"] = profile if profile != customer_id else None
    result["identifiers"] = store.identity.identifiers_of(members)
    if len(members) > 1:
        result["summary"] = store.identity.profile_summary(members)
    merges = store.identity.merges_of(members)
    in_profile = set(members)
    result["merges"] = [
        {
            "merge_id": m["merge_id"],
            "survivor": m["customer_id"],
            "absorbed": m["absorbed_customer_id"],
            "kind": m["identifier_kind"],
            "reason": m["reason"],
            "created_at": m["created_at"],
            "created_by": m["created_by"],
        }
        for m in merges
        if m["undone_at"] is None and m["absorbed_customer_id"] in in_profile
    ]
    return result
