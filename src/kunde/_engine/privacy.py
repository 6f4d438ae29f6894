"""Profiles, payment methods and consent: each change is written together with its audit entry.

Functions take the :class:`~kunde.store.Store`; :class:`~kunde.engine.Engine` exposes them.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from kunde._engine.customers import get_customer
from kunde.errors import InvalidFieldError, NotFoundError
from kunde.identity import CustomerProfile
from kunde.privacy import (
    Actor,
    AuditAction,
    AuditEntry,
    ConsentChange,
    ConsentEntry,
    ConsentState,
    PaymentMethod,
    PaymentMethodIn,
    Purpose,
    current_consents,
    refuse_card_numbers,
)
from kunde.store import Store
from kunde.store.customers import PROFILE_FIELDS

__all__ = [
    "add_payment_method",
    "audit_entry",
    "consented_customers",
    "consents",
    "has_consent",
    "payment_methods",
    "put_profile",
    "record_consents",
    "remove_payment_method",
]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def audit_entry(
    actor: Actor, action: AuditAction, customer_id: str | None, at: datetime, **details: Any
) -> AuditEntry:
    """The audit entry of ``actor`` doing ``action`` on ``customer_id``'s data at ``at``."""
    return AuditEntry(
        at=at,
        actor_key_id=actor.key_id,
        actor_role=actor.role,
        action=action.value,
        customer_id=customer_id,
        request_id=actor.request_id,
        reason=actor.reason,
        details=details,
    )


def _is_known(store: Store, customer_id: str) -> bool:
    return (
        store.customers.get(customer_id) is not None
        or store.orders.customer_summary(customer_id) is not None
    )


def _require_customer(store: Store, customer_id: str) -> None:
    if not _is_known(store, customer_id):
        raise NotFoundError(f"There is no customer with id {customer_id!r}.")


# --- profile ----------------------------------------------------------------------------------


def put_profile(
    store: Store, actor: Actor, profile: CustomerProfile
) -> tuple[dict[str, object], bool]:
    """Create or replace one customer's profile; return the customer and whether it is new.

    New means kunde knew nothing about the customer (no profile and no orders) before. The
    audit entry names the fields set (new profile) or changed, never their values.
    """
    before = store.customers.get(profile.customer_id)
    created = before is None and store.orders.customer_summary(profile.customer_id) is None
    after = profile.model_dump(mode="json")
    at = _now()
    store.customers.upsert([profile], at)
    if before is None:
        fields = [f for f in PROFILE_FIELDS if after.get(f) not in (None, [], {})]
        entry = audit_entry(
            actor, AuditAction.PROFILE_CREATE, profile.customer_id, at, fields=fields
        )
    else:
        fields = [f for f in PROFILE_FIELDS if _empty(before.get(f)) != _empty(after.get(f))]
        entry = audit_entry(
            actor, AuditAction.PROFILE_UPDATE, profile.customer_id, at, fields=fields
        )
    store.audit.append([entry])
    return get_customer(store, profile.customer_id), created


def _empty(value: object) -> object:
    return None if value in ([], {}) else value


# --- payment methods --------------------------------------------------------------------------


def add_payment_method(
    store: Store, actor: Actor, customer_id: str, method: PaymentMethodIn
) -> tuple[PaymentMethod, bool]:
    """Save a provider token for a known customer; the same token again changes nothing.

    Returns:
        The saved method and whether it is new.

    Raises:
        InvalidFieldError: a field looks like a card number (the value is not repeated).
        NotFoundError: unknown customer.
    """
    refuse_card_numbers(method.model_dump())
    _require_customer(store, customer_id)
    at = _now()
    candidate = PaymentMethod(
        payment_method_id="kpm_" + secrets.token_hex(10),
        customer_id=customer_id,
        created_at=at,
        **method.model_dump(),
    )
    with store.db.begin() as conn:
        saved, created = store.payment_methods.add(candidate, conn=conn)
        if created:
            entry = audit_entry(
                actor,
                AuditAction.PAYMENT_METHOD_ADD,
                customer_id,
                at,
                payment_method_id=saved.payment_method_id,
                provider=saved.provider,
            )
            store.audit.append([entry], conn=conn)
    return saved, created


def payment_methods(store: Store, customer_id: str) -> list[PaymentMethod]:
    """A known customer's saved payment methods, oldest first.

    Raises:
        NotFoundError: unknown customer.
    """
    _require_customer(store, customer_id)
    return store.payment_methods.list(customer_id)


def remove_payment_method(
    store: Store, actor: Actor, customer_id: str, payment_method_id: str
) -> None:
    """Delete one saved payment method of the customer.

    Raises:
        NotFoundError: the customer has no payment method with this id.
    """
    at = _now()
    with store.db.begin() as conn:
        if not store.payment_methods.remove(customer_id, payment_method_id, conn=conn):
            raise NotFoundError(
                f"Customer {customer_id!r} has no payment method {payment_method_id!r}."
            )
        entry = audit_entry(
            actor,
            AuditAction.PAYMENT_METHOD_REMOVE,
            customer_id,
            at,
            payment_method_id=payment_method_id,
        )
        store.audit.append([entry], conn=conn)


# --- consent ----------------------------------------------------------------------------------


def record_consents(
    store: Store, actor: Actor, customer_id: str, changes: Sequence[ConsentChange]
) -> list[ConsentEntry]:
    """Append grants and withdrawals (in order) to the customer's ledger; return the entries.

    The customer need not be known yet: a checkout may report consent before its order arrives.
    """
    at = _now()
    with store.db.begin() as conn:
        entries = store.consents.append(
            customer_id, changes, recorded_at=at, recorded_by=actor.label, conn=conn
        )
        summary = [{"purpose": e.purpose.value, "granted": e.granted} for e in entries]
        entry = audit_entry(actor, AuditAction.CONSENT_RECORD, customer_id, at, changes=summary)
        store.audit.append([entry], conn=conn)
    return entries


def consents(store: Store, customer_id: str) -> tuple[list[ConsentState], list[ConsentEntry]]:
    """The current state of every purpose and the ledger (oldest first) of one customer.

    For a merged profile the ledger is every entry of the profile's customer ids, and the
    current state per purpose is the person's latest expressed will (the newest entry among
    them); after an unmerge each id has its own ledger and state again.

    Raises:
        NotFoundError: kunde knows nothing about the customer (no profile, order or consent).
    """
    members = store.identity.resolution_of([customer_id]).members(customer_id)
    history = store.consents.ledger(members)
    if not history:
        _require_customer(store, customer_id)
    return current_consents(history), history


def _purpose(purpose: str) -> Purpose:
    try:
        return Purpose(purpose)
    except ValueError:
        names = ", ".join(p.value for p in Purpose)
        raise InvalidFieldError("purpose", f"must be one of {names}") from None


def has_consent(store: Store, customer_id: str, purpose: str) -> bool:
    """Whether the customer's latest ledger entry for ``purpose`` grants it (default: no); for
    a merged profile the newest entry among its customer ids.

    Raises:
        InvalidFieldError: unknown purpose.
    """
    chosen = _purpose(purpose)
    members = store.identity.resolution_of([customer_id]).members(customer_id)
    if len(members) == 1:
        return store.consents.is_granted(customer_id, chosen)
    _, entry_ids, granted = store.consents.latest(chosen, members)
    return bool(len(entry_ids)) and bool(granted[int(np.argmax(entry_ids))])


def consented_customers(store: Store, purpose: str) -> set[str]:
    """Every customer whose latest ledger entry for ``purpose`` grants it (one query).

    Raises:
        InvalidFieldError: unknown purpose.
    """
    return store.consents.granted_customers(_purpose(purpose))
