"""Dependencies of the route handlers, as ``Annotated`` aliases.

Handlers declare the caller's permission first and the body second, so that the API key is
checked before the body is read: ``def post_orders(principal: DataWriter, orders: OrdersBody)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any, cast

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from kunde.api.body import check_batch_size, read_json, validate
from kunde.api.errors import validation_error
from kunde.api.metrics import ApiMetrics
from kunde.api.schemas import EventsBatch, OrdersBatch, ProductsBatch
from kunde.api.schemas_privacy import ConsentsBatch
from kunde.api.schemas_recommend import EditorialIn
from kunde.catalog import ProductIn
from kunde.engine import Engine, Permission, Principal
from kunde.errors import AuthenticationError
from kunde.identity import CustomerProfile, EventIn, IdentifyIn
from kunde.orders import OrderIn
from kunde.privacy import (
    CARD_NUMBER_MESSAGE,
    CUSTOMER_ROLE,
    Actor,
    ConsentChange,
    PaymentMethodIn,
    card_number_locations,
)
from kunde.store.customers import PROFILE_FIELDS

__all__ = [
    "AggregateReader",
    "AuditReader",
    "ConsentRecorder",
    "ConsentsBody",
    "CustomerId",
    "DataWriter",
    "EditorialBody",
    "EditorialManager",
    "EngineDep",
    "Eraser",
    "EventsBody",
    "Exporter",
    "IdentifierLinker",
    "IdentifyBody",
    "Me",
    "MeDep",
    "MetricsDep",
    "OrdersBody",
    "PaymentMethodBody",
    "PersonalDataReader",
    "PersonalDataWriter",
    "PrincipalDep",
    "ProductId",
    "ProductReader",
    "ProductsBody",
    "ProfileBody",
    "ProfileChangesBody",
    "RecommendationReader",
    "TokenIssuer",
]


# Dependencies without I/O are ``async`` so that FastAPI does not hand them to a thread.


async def _engine(request: Request) -> Engine:
    return cast(Engine, request.app.state.engine)


async def _metrics(request: Request) -> ApiMetrics:
    return cast(ApiMetrics, request.app.state.metrics)


EngineDep = Annotated[Engine, Depends(_engine)]
"""The app's :class:`~kunde.engine.Engine`."""

MetricsDep = Annotated[ApiMetrics, Depends(_metrics)]
"""The app's Prometheus metrics."""

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `kunde keys create --role admin|staff|integration|analyst`.",
)


_Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _principal(engine: EngineDep, credentials: _Credentials) -> Principal:
    return await _authenticated(engine, credentials)


async def _authenticated(
    engine: Engine, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    # async: a key seen in the last seconds needs no I/O; only a cache miss takes a thread.
    if credentials is None:
        raise AuthenticationError("No API key: send the header 'Authorization: Bearer <key>'.")
    key = credentials.credentials
    principal = engine.cached_principal(key)
    if principal is None:
        principal = await run_in_threadpool(engine.authenticate, key)
    return principal


PrincipalDep = Annotated[Principal, Depends(_principal)]
"""The authenticated caller (401 without a valid key)."""


def _requires(
    permission: Permission,
) -> Callable[[Principal, Engine], Coroutine[None, None, Principal]]:
    async def check(principal: PrincipalDep, engine: EngineDep) -> Principal:
        engine.authorize(principal, permission)
        return principal

    return check


DataWriter = Annotated[Principal, Depends(_requires(Permission.WRITE_DATA))]
"""A caller who may post orders, events and products (admin, integration)."""

ProductReader = Annotated[Principal, Depends(_requires(Permission.READ_PRODUCTS))]
"""A caller who may read the catalog (every role)."""

AggregateReader = Annotated[Principal, Depends(_requires(Permission.READ_AGGREGATES))]
"""A caller who may read segment sizes and other aggregates (admin, analyst)."""

CustomerId = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=r"^[^\x00]+$", description="The shop's customer id."),
]
"""A customer id in the path."""

ProductId = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=r"^[^\x00]+$", description="The shop's product id."),
]
"""A product id in the path."""


def _personal_data_reader(  # sync: writes the audit record
    principal: PrincipalDep, engine: EngineDep, customer_id: CustomerId, request: Request
) -> Principal:
    engine.authorize(principal, Permission.READ_PERSONAL_DATA, customer_id)
    route = request.scope.get("route")
    what = f"{request.method} {getattr(route, 'path', request.url.path)}"
    engine.record_read(_actor(principal, request), customer_id, what)
    return principal


PersonalDataReader = Annotated[Principal, Depends(_personal_data_reader)]
"""A caller who may read the personal data of the customer in the path (admin, staff).

Every such read is recorded in the audit trail (who, which customer, which route, when, and the
request's ``X-Request-ID`` and ``X-Audit-Reason``).
"""

_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,64}$")
_MAX_REASON = 200


def _actor(principal: Principal, request: Request) -> Actor:
    """The audited actor: the principal plus the request's ``X-Request-ID`` and reason."""
    return _actor_of(principal.key_id, principal.role, request)


def _actor_of(key_id: int | None, role: str, request: Request) -> Actor:
    request_id = request.headers.get("x-request-id")
    if request_id is not None and not _REQUEST_ID.match(request_id):
        raise validation_error(
            ("header", "x-request-id"),
            "must be 1 to 64 printable ASCII characters without spaces",
            "string_invalid",
        )
    reason = request.headers.get("x-audit-reason")
    if reason is not None and not 0 < len(reason.strip()) <= _MAX_REASON:
        raise validation_error(
            ("header", "x-audit-reason"), f"must be 1 to {_MAX_REASON} characters", "too_long"
        )
    return Actor(
        key_id=key_id,
        role=role,
        request_id=request_id,
        reason=reason.strip() if reason else None,
    )


def _acting(permission: Permission) -> Callable[[Principal, Engine, Request], Actor]:
    def check(principal: PrincipalDep, engine: EngineDep, request: Request) -> Actor:
        engine.authorize(principal, permission)
        return _actor(principal, request)

    return check


PersonalDataWriter = Annotated[Actor, Depends(_acting(Permission.WRITE_PERSONAL_DATA))]
"""A caller who may change a customer's profile and payment methods (admin, staff); audited."""

ConsentRecorder = Annotated[Actor, Depends(_acting(Permission.RECORD_CONSENT))]
"""A caller who may record consent (admin, staff, integration); audited."""

AuditReader = Annotated[Principal, Depends(_requires(Permission.READ_AUDIT))]
"""A caller who may read the audit trail (admin)."""

EditorialManager = Annotated[Principal, Depends(_requires(Permission.MANAGE_EDITORIAL))]
"""A caller who may set the editorial picks (admin, staff)."""


async def _recommendation_reader(  # the audit record (people only) is written in a thread
    request: Request, credentials: _Credentials, customer_id: CustomerId
) -> Principal:
    # One flat dependency rather than PrincipalDep and EngineDep inside: a shop calls this
    # route on every page, and FastAPI resolves each nested dependency anew per request.
    engine = cast(Engine, request.app.state.engine)
    principal = await _authenticated(engine, credentials)
    engine.authorize(principal, Permission.READ_RECOMMENDATIONS, customer_id)
    if principal.can(Permission.READ_PERSONAL_DATA):  # people (admin, staff): audited
        route = request.scope.get("route")
        what = f"{request.method} {getattr(route, 'path', request.url.path)}"
        await run_in_threadpool(engine.record_read, _actor(principal, request), customer_id, what)
    return principal


RecommendationReader = Annotated[Principal, Depends(_recommendation_reader)]
"""A caller who may read a customer's recommendations (admin, staff, integration).

Reads by people (admin, staff) are audited like other personal data; the shop backend's
integration key renders them on every page and is not.
"""
IdentifierLinker = Annotated[Actor, Depends(_acting(Permission.LINK_IDENTIFIERS))]
"""A caller who may link identifiers to customers (admin, staff, integration); audited."""
TokenIssuer = Annotated[Actor, Depends(_acting(Permission.ISSUE_CUSTOMER_TOKEN))]
"""A caller who may issue customer tokens (admin, staff); audited."""

Exporter = Annotated[Actor, Depends(_acting(Permission.EXPORT_PERSONAL_DATA))]
"""A caller who may export a customer's personal data (admin, staff); audited."""

Eraser = Annotated[Actor, Depends(_acting(Permission.ERASE_PERSONAL_DATA))]
"""A caller who may erase a customer (admin only); audited without the customer id."""

_customer_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="CustomerToken",
    description="A customer token from `POST /v1/customers/{customer_id}/token` (/v1/me only).",
)


@dataclass(frozen=True)
class Me:
    """The customer acting on their own data with a customer token."""

    customer_id: str
    actor: Actor
    """The customer as audited actor (role ``customer``)."""
    token: str = field(repr=False)
    """The customer token of the request (to end this session)."""


def _me(  # sync: looks the customer up
    engine: EngineDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_customer_bearer)],
) -> Me:
    if credentials is None:
        raise AuthenticationError(
            "No customer token: send the header 'Authorization: Bearer <customer token>'."
        )
    customer_id = engine.customer_from_token(credentials.credentials)
    return Me(
        customer_id=customer_id,
        actor=_actor_of(None, CUSTOMER_ROLE, request),
        token=credentials.credentials,
    )


MeDep = Annotated[Me, Depends(_me)]
"""The customer of a valid customer token (401 without one; API keys do not work here)."""


def _orders_from(data: Any, limit: int) -> list[OrderIn]:
    if isinstance(data, dict) and "orders" in data:
        check_batch_size(data, "orders", limit)
        return validate(OrdersBatch, data).orders
    return [validate(OrderIn, data)]


def _events_from(data: Any, limit: int) -> list[EventIn]:
    check_batch_size(data, "events", limit)
    return validate(EventsBatch, data).events


def _products_from(data: Any, limit: int) -> list[ProductIn]:
    if isinstance(data, dict) and "products" in data:
        check_batch_size(data, "products", limit)
        return validate(ProductsBatch, data).products
    return [validate(ProductIn, data)]


async def _orders(request: Request, engine: EngineDep) -> list[OrderIn]:
    limit = engine.settings.max_batch_items
    return await read_json(request, lambda data: _orders_from(data, limit))


async def _events(request: Request, engine: EngineDep) -> list[EventIn]:
    limit = engine.settings.max_batch_items
    return await read_json(request, lambda data: _events_from(data, limit))


async def _products(request: Request, engine: EngineDep) -> list[ProductIn]:
    limit = engine.settings.max_batch_items
    return await read_json(request, lambda data: _products_from(data, limit))


OrdersBody = Annotated[list[OrderIn], Depends(_orders)]
"""The posted orders: one order object, or ``{"orders": [...]}``."""

EventsBody = Annotated[list[EventIn], Depends(_events)]
"""The posted events: ``{"events": [...]}``."""

ProductsBody = Annotated[list[ProductIn], Depends(_products)]
"""The posted products: one product object, or ``{"products": [...]}``."""


def _profile_from(data: Any, customer_id: str) -> CustomerProfile:
    if isinstance(data, dict):
        if data.get("customer_id", customer_id) != customer_id:
            raise validation_error(
                ("body", "customer_id"),
                "must be the customer id of the path, or be left out",
                "value_error",
            )
        data = {**data, "customer_id": customer_id}
    return validate(CustomerProfile, data)


def _payment_method_from(data: Any) -> PaymentMethodIn:
    # Before validation, so that no later error can carry a card number.
    locations = card_number_locations(data)
    if locations:
        raise validation_error(("body", *locations[0]), CARD_NUMBER_MESSAGE, "card_number")
    return validate(PaymentMethodIn, data)


def _profile_changes_from(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise validation_error(("body",), "must be an object of profile fields", "dict_type")
    for name in data:
        if name not in PROFILE_FIELDS:
            raise validation_error(
                ("body", str(name)[:64]),
                f"is not a field you can change; use {', '.join(PROFILE_FIELDS)}",
                "extra_forbidden",
            )
    profile = validate(CustomerProfile, {**data, "customer_id": "-"})
    return profile.model_dump(mode="json", include=set(data))


def _consents_from(data: Any) -> list[ConsentChange]:
    if isinstance(data, dict) and "consents" in data:
        return validate(ConsentsBatch, data).consents
    return [validate(ConsentChange, data)]


async def _profile(request: Request, customer_id: CustomerId) -> CustomerProfile:
    return await read_json(request, lambda data: _profile_from(data, customer_id))


async def _payment_method(request: Request) -> PaymentMethodIn:
    return await read_json(request, _payment_method_from)


async def _consents(request: Request) -> list[ConsentChange]:
    return await read_json(request, _consents_from)


async def _profile_changes(request: Request) -> dict[str, Any]:
    return await read_json(request, _profile_changes_from)


ProfileBody = Annotated[CustomerProfile, Depends(_profile)]
"""A whole profile; its ``customer_id`` is the path's (it may be left out of the body)."""

PaymentMethodBody = Annotated[PaymentMethodIn, Depends(_payment_method)]
"""A payment service provider token; a body with anything like a card number is refused."""

ConsentsBody = Annotated[list[ConsentChange], Depends(_consents)]
"""Consent changes: one object, or ``{"consents": [...]}`` (appended in order)."""


async def _editorial(request: Request) -> EditorialIn:
    return await read_json(request, lambda data: validate(EditorialIn, data))


EditorialBody = Annotated[EditorialIn, Depends(_editorial)]
"""The editorial picks: ``{"product_ids": [...], "share": 0.3}``."""


async def _identify(request: Request) -> IdentifyIn:
    return await read_json(request, lambda data: validate(IdentifyIn, data))


IdentifyBody = Annotated[IdentifyIn, Depends(_identify)]
"""Identifiers seen together with a customer: ``{"customer_id", "identifiers": [...]}``."""
ProfileChangesBody = Annotated[dict[str, Any], Depends(_profile_changes)]
"""Some profile fields (validated); the fields left out stay as they are."""
