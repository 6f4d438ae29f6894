"""One router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from kunde.api.routers import (
    audit,
    consents,
    customers,
    events,
    me,
    operations,
    orders,
    payment_methods,
    products,
    profiles,
    rights,
    value,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    orders.router,
    events.router,
    products.router,
    customers.router,
    operations.router,
    profiles.router,
    payment_methods.router,
    consents.router,
    audit.router,
    value.router,
    rights.router,
    me.router,
)
"""Every resource's router, in the order the application includes them."""
