"""One router per resource."""

from __future__ import annotations

from kunde.api.routers import (
    audit,
    consents,
    customers,
    events,
    operations,
    orders,
    payment_methods,
    products,
    profiles,
)

__all__ = [
    "audit",
    "consents",
    "customers",
    "events",
    "operations",
    "orders",
    "payment_methods",
    "products",
    "profiles",
]
