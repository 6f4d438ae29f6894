"""Reading one customer's profile and writing profiles in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from kunde.errors import NotFoundError
from kunde.identity import CustomerProfile
from kunde.store import Store
from kunde.store.customers import PROFILE_FIELDS

__all__ = ["get_customer", "upsert_customers"]


def get_customer(store: Store, customer_id: str) -> dict[str, object]:
    """Profile fields, linked identifiers and purchase summary of one customer.

    A customer is known when they have a profile or at least one purchase: customers imported
    from order files alone have no profile fields yet (they are ``None``).

    Raises:
        NotFoundError: kunde knows nothing about ``customer_id``.
    """
    profile = store.customers.get(customer_id)
    summary = store.orders.customer_summary(customer_id)
    if profile is None and summary is None:
        raise NotFoundError(f"There is no customer with id {customer_id!r}.")
    result: dict[str, object] = {"customer_id": customer_id}
    for field in PROFILE_FIELDS:
        result[field] = profile.get(field) if profile else None
    result["addresses"] = (profile or {}).get("addresses") or []
    result["channels"] = (profile or {}).get("channels") or {}
    result["created_at"] = profile["created_at"] if profile else None
    result["updated_at"] = profile["updated_at"] if profile else None
    result["identifiers"] = store.customers.identifiers(customer_id)
    result["summary"] = summary
    return result


def upsert_customers(store: Store, profiles: Sequence[CustomerProfile]) -> int:
    """Create or replace customer profiles; return how many distinct customers were written."""
    if not profiles:
        return 0
    return store.customers.upsert(profiles, datetime.now(UTC).replace(tzinfo=None))
