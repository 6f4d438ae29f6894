"""Request envelopes and response bodies of the HTTP API.

The objects inside requests are the domain input models (:class:`~kunde.orders.OrderIn`,
:class:`~kunde.identity.EventIn`, :class:`~kunde.catalog.ProductIn`); this module adds the batch
envelopes around them and the shapes of every response.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kunde.api.schemas_identity import ProfileMergeOut
from kunde.catalog import ProductIn
from kunde.identity import Address, Channel, ChannelPreference, EventIn
from kunde.orders import OrderIn

__all__ = [
    "CustomerOut",
    "ErrorOut",
    "EventsBatch",
    "EventsOut",
    "FieldError",
    "HealthOut",
    "IdentifierOut",
    "OrdersBatch",
    "OrdersOut",
    "ProductOut",
    "ProductsBatch",
    "ProductsOut",
    "PurchaseSummaryOut",
    "ValidationErrorOut",
]


# --- requests -------------------------------------------------------------------------------


class OrdersBatch(BaseModel):
    """Several orders in one request (at most ``KUNDE_MAX_BATCH_ITEMS``)."""

    model_config = ConfigDict(extra="forbid")

    orders: list[OrderIn] = Field(min_length=1)


class EventsBatch(BaseModel):
    """Behavioural events (at most ``KUNDE_MAX_BATCH_ITEMS``), each with a client-chosen id."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(min_length=1)


class ProductsBatch(BaseModel):
    """Several products in one request (at most ``KUNDE_MAX_BATCH_ITEMS``)."""

    model_config = ConfigDict(extra="forbid")

    products: list[ProductIn] = Field(min_length=1)


# --- responses ------------------------------------------------------------------------------


class OrdersOut(BaseModel):
    """What happened to the posted orders."""

    created: list[str]
    """Order ids stored by this request."""
    unchanged: list[str]
    """Order ids that were already stored with the same content (a retry changes nothing)."""


class EventsOut(BaseModel):
    """What happened to the posted events."""

    stored: int
    """Events stored by this request."""
    duplicates: int
    """Events whose event_id was already stored (ignored)."""


class ProductsOut(BaseModel):
    """What happened to the posted products."""

    created: int
    """Products that were new."""
    updated: int
    """Products that existed with other fields; the posted fields replaced them."""
    unchanged: int
    """Products that existed with exactly the posted fields."""


class ProductOut(BaseModel):
    """A product of the catalog."""

    product_id: str
    name: str | None = None
    category: str | None = None
    """Category path, levels separated by ``' > '``."""
    brand: str | None = None
    price: float | None = None
    released_at: date | None = None
    description: str | None = None
    kind: str = "product"
    """``product``, or ``fee``/``adjustment`` for non-product codes (postage, charges, ...)."""


class IdentifierOut(BaseModel):
    """An identifier linked to a customer (see :class:`kunde.identity.IdentifierKind`)."""

    kind: str
    value: str
    created_at: datetime
    customer_id: str | None = None
    """The customer of the profile it is linked to (a merged profile has several)."""


class PurchaseSummaryOut(BaseModel):
    """A customer's purchases in brief, kept up to date as lines arrive."""

    first_purchase_day: date | None = None
    last_purchase_day: date | None = None
    purchase_days: int = 0
    """Distinct days with a purchase."""
    net_revenue: float = 0.0
    """Purchases minus returns, in the shop's currency."""
    orders: int = 0
    """Orders placed (returns included)."""


class CustomerOut(BaseModel):
    """One customer: profile, identifiers and purchase summary (personal data)."""

    customer_id: str
    given_name: str | None = None
    family_name: str | None = None
    salutation: str | None = None
    title: str | None = None
    language: str | None = None
    formality: Literal["formal", "informal"] | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None
    addresses: list[Address] = Field(default_factory=list)
    channels: dict[Channel, ChannelPreference] = Field(default_factory=dict)
    """Communication preferences per channel (channels left out: no preference recorded)."""
    created_at: datetime | None = None
    """When kunde first stored the customer (with a profile or an order)."""
    updated_at: datetime | None = None
    identifiers: list[IdentifierOut] = Field(default_factory=list)
    """The identifiers of the whole profile (merged customers included)."""
    summary: PurchaseSummaryOut | None = None
    """The whole profile's purchases; ``None`` when nothing was bought yet."""
    profile_id: str | None = None
    """The profile the customer belongs to: their own id, or the survivor of a merge."""
    merged_into: str | None = None
    """Set when this customer was merged into another profile (``profile_id``)."""
    merges: list[ProfileMergeOut] = Field(default_factory=list)
    """The active merges that make up the profile (undo with ``POST /v1/merges/{id}/undo``)."""


class HealthOut(BaseModel):
    """Whether kunde can serve requests."""

    status: Literal["ok", "outdated", "unavailable"]
    """``ok``; ``outdated``: run ``kunde init``; ``unavailable``: the database does not answer."""
    database: bool
    schema_current: bool


class ErrorOut(BaseModel):
    """An error other than invalid input."""

    detail: str


class FieldError(BaseModel):
    """One problem with the input."""

    loc: list[str | int]
    """Where: ``["body", "orders", 0, "lines", 1, "unit_price"]``, ``["path", "customer_id"]``."""
    msg: str
    """What is wrong, in words."""
    type: str
    """A stable machine-readable code, e.g. ``missing``, ``json_invalid``, ``too_long``."""


class ValidationErrorOut(BaseModel):
    """Invalid input (422): one entry per problem."""

    detail: list[FieldError]
