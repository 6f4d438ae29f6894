"""Customer tokens and the customer's own view: what is stored, why, and their interests.

Functions take the :class:`~kunde.store.Store` and settings; the engine's
:class:`~kunde._engine.rights_facade.RightsFacade` exposes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from kunde._engine import privacy, value_consent
from kunde._engine.customers import get_customer
from kunde.config import Settings
from kunde.errors import AuthenticationError, InvalidFieldError, NotFoundError
from kunde.identity import CustomerProfile
from kunde.privacy import (
    PURPOSE_DESCRIPTIONS,
    Actor,
    AuditAction,
    CustomerToken,
    Purpose,
    data_inventory,
    issue_customer_token,
    subject_digest,
    verify_customer_token,
)
from kunde.store import Store
from kunde.store.customers import PROFILE_FIELDS

__all__ = [
    "customer_from_token",
    "interests",
    "issue_token",
    "me",
    "profile",
    "require_known",
    "revoke_own_token",
    "revoke_tokens",
    "update_me",
]

_EPOCH = date(1970, 1, 1)
_SHOWN_INTERESTS = 20


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def require_known(store: Store, customer_id: str) -> None:
    """Raises NotFoundError unless some table holds data of the customer."""
    if not store.rights.is_known(customer_id):
        raise NotFoundError(f"There is no customer with id {customer_id!r}.")


def issue_token(
    store: Store, settings: Settings, actor: Actor, customer_id: str, ttl_seconds: int | None
) -> CustomerToken:
    """Issue a customer token for a known customer and audit it.

    Raises:
        InvalidFieldError: ``ttl_seconds`` outside 60 .. KUNDE_CUSTOMER_TOKEN_MAX_TTL_SECONDS.
        NotFoundError: unknown customer.
    """
    ttl = settings.customer_token_ttl_seconds if ttl_seconds is None else ttl_seconds
    most = settings.customer_token_max_ttl_seconds
    if not 60 <= ttl <= most:
        raise InvalidFieldError("ttl_seconds", f"must be between 60 and {most} seconds")
    require_known(store, customer_id)
    now = _now()
    token = issue_customer_token(settings.secret_key, customer_id, now, ttl)
    expires_at = token.expires_at.isoformat()
    entry = privacy.audit_entry(
        actor, AuditAction.TOKEN_ISSUE, customer_id, now, expires_at=expires_at
    )
    store.audit.append([entry])
    return token


def _valid_token(store: Store, settings: Settings, token: str) -> CustomerToken:
    """The verified token, unless it was revoked or its customer erased.

    Raises:
        AuthenticationError: invalid, tampered, expired or revoked token, or an erased customer.
    """
    verified = verify_customer_token(settings.secret_key, token, _now())
    customer_id = verified.customer_id
    if store.tokens.is_revoked(customer_id, verified.token_id, verified.issued_at):
        raise AuthenticationError("The customer token was revoked; ask the shop for a new one.")
    if store.rights.is_erased(subject_digest(settings.secret_key, customer_id)):
        raise AuthenticationError("The customer token was revoked (the customer was erased).")
    return verified


def customer_from_token(store: Store, settings: Settings, token: str) -> str:
    """The customer a valid token belongs to.

    Raises:
        AuthenticationError: invalid, tampered, expired or revoked token (an erasure revokes).
        NotFoundError: kunde knows nothing about the customer any more.
    """
    customer_id = _valid_token(store, settings, token).customer_id
    require_known(store, customer_id)
    return customer_id


def revoke_tokens(store: Store, actor: Actor, customer_id: str) -> datetime:
    """Revoke every token issued to the customer so far; audited. Returns the moment.

    Raises:
        NotFoundError: unknown customer.
    """
    require_known(store, customer_id)
    now = _now()
    entry = privacy.audit_entry(actor, AuditAction.TOKEN_REVOKE, customer_id, now, scope="all")
    with store.db.begin() as conn:
        store.tokens.revoke_all(customer_id, now, conn=conn)
        store.audit.append([entry], conn=conn)
    return now


def revoke_own_token(store: Store, settings: Settings, actor: Actor, token: str) -> None:
    """The customer ends their current session: this token is revoked; audited.

    Raises:
        AuthenticationError: the token is not valid (any more).
    """
    verified = _valid_token(store, settings, token)
    now = _now()
    customer_id = verified.customer_id
    entry = privacy.audit_entry(actor, AuditAction.TOKEN_REVOKE, customer_id, now, scope="session")
    with store.db.begin() as conn:
        store.tokens.revoke_one(customer_id, verified.token_id, verified.expires_at, now, conn=conn)
        store.audit.append([entry], conn=conn)


def interests(store: Store, customer_id: str, as_of: date | None = None) -> list[dict[str, Any]]:
    """The customer's inferred interest per category, strongest first (gifts never count).

    Computed with :func:`kunde.recommend.category_interests` over the customer's own product
    lines (90-day half-life); categories with no weight are left out.
    """
    from kunde.recommend import category_interests  # not at start-up: every command imports this

    rows = store.rights.purchase_lines(customer_id)
    if not rows:
        return []
    products, ordered_at, gifts, categories = zip(*rows, strict=True)
    _, item = np.unique(np.array(products, dtype=object), return_inverse=True)
    labels = np.array([c or "" for c in categories], dtype=object)
    names, category = np.unique(labels, return_inverse=True)
    category = np.where(names[category] == "", -1, category)
    item_category = np.full(int(item.max()) + 1, -1, dtype=np.int64)
    item_category[item] = category
    day = np.array(ordered_at, dtype="datetime64[D]").astype(np.int64)
    today = (as_of or _now().date()) - _EPOCH
    weight = category_interests(
        item,
        day,
        np.array(gifts, dtype=bool),
        item_category=item_category,
        n_categories=len(names),
        as_of_day=today.days,
    )
    order = np.argsort(-weight, kind="stable")
    return [
        {"category": str(names[i]), "interest": round(float(weight[i]), 4)}
        for i in order[:_SHOWN_INTERESTS]
        if weight[i] > 0
    ]


def profile(store: Store, customer_id: str) -> dict[str, object]:
    """The customer's profile, identifiers and summary; only the id for a customer known from
    consent or events alone."""
    try:
        return get_customer(store, customer_id)
    except NotFoundError:
        return {"customer_id": customer_id}


def me(store: Store, customer_id: str, inferred: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything the customer may see about themselves (``GET /v1/me``).

    Raises:
        NotFoundError: unknown customer.
    """
    require_known(store, customer_id)
    current, history = privacy.consents(store, customer_id)
    personal = privacy.has_consent(store, customer_id, Purpose.PERSONALIZATION.value)
    return {
        "customer_id": customer_id,
        "profile": profile(store, customer_id),
        "data_inventory": data_inventory(),
        "purposes": [{"purpose": p.value, "description": PURPOSE_DESCRIPTIONS[p]} for p in Purpose],
        "consents": {"current": current, "history": history},
        "interests": {"used_for_personalization": personal, "categories": inferred},
        "value_profiling": value_consent.profiling_statement(store, customer_id),
        "payment_methods": store.payment_methods.list(customer_id),
    }


def update_me(
    store: Store, actor: Actor, customer_id: str, changes: Mapping[str, Any]
) -> dict[str, object]:
    """Change the given profile and preference fields of the customer; the rest stay.

    Raises:
        NotFoundError: unknown customer.
        InvalidFieldError: a field is invalid.
    """
    require_known(store, customer_id)
    stored = store.customers.get(customer_id) or {}
    merged = {f: stored.get(f) for f in PROFILE_FIELDS if stored.get(f) is not None}
    merged.update(changes)
    profile = CustomerProfile.model_validate({**merged, "customer_id": customer_id})
    customer, _ = privacy.put_profile(store, actor, profile)
    return customer
