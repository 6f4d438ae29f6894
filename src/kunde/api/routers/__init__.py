"""One router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from kunde.api.routers import (
    audit,
    consents,
    customers,
    events,
    identity,
    me,
    operations,
    orders,
    payment_methods,
    personalization,
    products,
    profiles,
    recommendations,
    rights,
    timeline,
    value,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    # first: a shop renders a customer's recommendations on every page, and a request is
    # matched against the routers in this order (no other router's paths overlap its own)
    recommendations.router,
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
    personalization.router,
    identity.router,
    timeline.router,
    rights.router,
    me.router,
)
"""Every resource's router, in the order the application includes them."""
