"""Behavioural events of the last weeks: browsing under anonymous ids that later log in.

Every customer browses the web shop under a cookie id and the app under an install id. Before
an online purchase they look around anonymously, put the products in the cart and log in to
pay: the login event carries both ids and so links the anonymous history to the customer. They
also browse without buying (sometimes logging in), strangers browse and never log in, store
orders leave a store visit and call-centre orders (and some returns) a call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from kunde.demo._baskets import leaf_weights
from kunde.demo._catalog import Catalog
from kunde.demo._categories import LEAVES
from kunde.demo._customers import CHANNELS, STORES, Customers
from kunde.demo._orders import OrderHistory
from kunde.demo._purchases import clock_times

__all__ = ["EVENT_TYPES", "TOUCHPOINTS", "Events", "make_events"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EVENT_TYPES = (
    "page_view",
    "product_view",
    "add_to_cart",
    "search",
    "login",
    "store_visit",
    "call",
)
TOUCHPOINTS = CHANNELS
_PAGE, _VIEW, _CART, _SEARCH, _LOGIN, _VISIT, _CALL = range(len(EVENT_TYPES))
_WEB, _APP, _STORE, _CALL_CENTRE = range(len(CHANNELS))
_MINUTE = 60

_PROPERTIES: list[str] = [json.dumps({"page": "home"})]
_SEARCH_AT = len(_PROPERTIES)
_PROPERTIES += [json.dumps({"query": leaf.path.split(" > ")[-1].lower()}) for leaf in LEAVES]
_STORE_AT = len(_PROPERTIES)
_PROPERTIES += [json.dumps({"store_id": store[0]}) for store in STORES]
_CALL_AT = len(_PROPERTIES)
_CALL_REASONS = ("order", "return", "delivery question", "product question")
_PROPERTIES += [json.dumps({"reason": reason}) for reason in _CALL_REASONS]
PROPERTIES: tuple[str, ...] = tuple(_PROPERTIES)
"""Every distinct ``properties`` JSON text; events refer to them by index."""


@dataclass
class Events:
    """Events as parallel arrays; ``anonymous`` indexes :attr:`anonymous_ids` (-1: none)."""

    anonymous_ids: list[str]
    at: list[IntArray] = field(default_factory=list)
    kind: list[IntArray] = field(default_factory=list)
    customer: list[IntArray] = field(default_factory=list)
    anonymous: list[IntArray] = field(default_factory=list)
    touchpoint: list[IntArray] = field(default_factory=list)
    product: list[IntArray] = field(default_factory=list)
    properties: list[IntArray] = field(default_factory=list)

    def add(
        self,
        at: IntArray,
        kind: npt.ArrayLike,
        customer: npt.ArrayLike,
        anonymous: npt.ArrayLike,
        touchpoint: npt.ArrayLike,
        product: npt.ArrayLike = -1,
        properties: npt.ArrayLike = -1,
    ) -> None:
        """Append a block of events (scalars broadcast to the block's length; -1: none)."""
        size = at.size

        def column(values: npt.ArrayLike) -> IntArray:
            return np.broadcast_to(np.asarray(values, dtype=np.int64), size).copy()

        self.at.append(at.astype(np.int64))
        self.kind.append(column(kind))
        self.customer.append(column(customer))
        self.anonymous.append(column(anonymous))
        self.touchpoint.append(column(touchpoint))
        self.product.append(column(product))
        self.properties.append(column(properties))

    def concatenated(self) -> dict[str, IntArray]:
        """All blocks joined and sorted by time (ties keep the order they were added in)."""
        joined = {
            "at": np.concatenate(self.at),
            "kind": np.concatenate(self.kind),
            "customer": np.concatenate(self.customer),
            "anonymous": np.concatenate(self.anonymous),
            "touchpoint": np.concatenate(self.touchpoint),
            "product": np.concatenate(self.product),
            "properties": np.concatenate(self.properties),
        }
        order = np.argsort(joined["at"], kind="stable")
        return {name: values[order] for name, values in joined.items()}


def _hex_ids(rng: np.random.Generator, prefix: str, n: int) -> list[str]:
    return [f"{prefix}{value:012x}" for value in rng.integers(0, 2**48, n).tolist()]


def make_events(
    rng: np.random.Generator,
    history: OrderHistory,
    catalog: Catalog,
    customers: Customers,
    today_day: int,
    days: int,
) -> Events:
    """Draw the events of the last ``days`` days before ``today_day``."""
    n = len(customers.customer_id)
    visitors = max(10, n // 2)
    events = Events(
        anonymous_ids=_hex_ids(rng, "web-", n)
        + _hex_ids(rng, "app-", n)
        + _hex_ids(rng, "web-", visitors)
    )
    start = (today_day - days) * 86400
    end = today_day * 86400
    _purchase_sessions(rng, events, history, catalog, n, start)
    _browsing_sessions(rng, events, catalog, customers, history, start, end)
    _strangers(rng, events, catalog, n, visitors, start, end)
    _visits_and_calls(rng, events, history, customers, start, end)
    return events


def _purchase_sessions(
    rng: np.random.Generator,
    events: Events,
    history: OrderHistory,
    catalog: Catalog,
    n: int,
    start: int,
) -> None:
    online = (history.channel <= _APP) & ~history.is_return & (history.customer >= 0)
    online &= (history.at >= start + 3600) & (history.product >= 0)
    lines = np.flatnonzero(online)
    if lines.size == 0:
        return
    order_of = np.unique(np.array(history.order_id)[lines], return_index=True, return_inverse=True)
    first_line = lines[order_of[1]]
    line_session = order_of[2]
    customer = history.customer[first_line]
    touchpoint = history.channel[first_line]
    anonymous = customer + np.where(touchpoint == _APP, n, 0)
    paid = history.at[first_line]
    arrive = paid - rng.integers(20, 45, first_line.size) * _MINUTE

    events.add(arrive, _PAGE, -1, anonymous, touchpoint, properties=0)
    searched = rng.random(first_line.size) < 0.5
    leaf = catalog.leaf[history.product[first_line]]
    events.add(
        arrive[searched] + 2 * _MINUTE,
        _SEARCH,
        -1,
        anonymous[searched],
        touchpoint[searched],
        properties=_SEARCH_AT + leaf[searched],
    )
    # a look at an alternative in the same leaf that was not bought
    alternative = catalog.sample(rng, leaf, paid // 86400)
    events.add(arrive + 4 * _MINUTE, _VIEW, -1, anonymous, touchpoint, product=alternative)
    rank = _rank_within(line_session)
    line_start = arrive[line_session] + 6 * _MINUTE + rank * 2 * _MINUTE
    line_anonymous = anonymous[line_session]
    line_touchpoint = touchpoint[line_session]
    product = history.product[lines]
    events.add(line_start, _VIEW, -1, line_anonymous, line_touchpoint, product=product)
    events.add(line_start + _MINUTE, _CART, -1, line_anonymous, line_touchpoint, product=product)
    events.add(paid - 2 * _MINUTE, _LOGIN, customer, anonymous, touchpoint)


def _arrivals(rng: np.random.Generator, start: int, end: int, size: int) -> IntArray:
    """Session starts on random days between ``start`` and ``end``, at online shopping hours."""
    first, last = start // 86400, end // 86400 - 1
    days = rng.integers(first, last + 1, size)
    at = days * 86400 + clock_times(rng, np.full(size, _WEB))
    return np.asarray(np.minimum(at, end - 3600), dtype=np.int64)  # sessions end before today


def _rank_within(group: IntArray) -> IntArray:
    """0, 1, 2, ... for the members of each group, in the order they appear."""
    order = np.argsort(group, kind="stable")
    ordered = group[order]
    rank = np.empty_like(group)
    rank[order] = np.arange(group.size) - np.searchsorted(ordered, ordered)
    return rank


def _browsing_sessions(
    rng: np.random.Generator,
    events: Events,
    catalog: Catalog,
    customers: Customers,
    history: OrderHistory,
    start: int,
    end: int,
) -> None:
    n = len(customers.customer_id)
    rate = np.where(history.alive, 1.5 * customers.purchase_rate, 0.002)
    sessions = rng.poisson(rate * (end - start) / 86400)
    customer = np.repeat(np.arange(n), sessions)
    touchpoint = np.where(customers.channel[customer] == _APP, _APP, _WEB)
    anonymous = customer + np.where(touchpoint == _APP, n, 0)
    arrive = _arrivals(rng, start, end, customer.size)
    events.add(arrive, _PAGE, -1, anonymous, touchpoint, properties=0)

    views = 1 + rng.poisson(1.2, customer.size)
    session = np.repeat(np.arange(customer.size), views)
    rank = np.arange(session.size) - np.repeat(np.cumsum(views) - views, views)
    interest = _favourite_leaf(rng, customers, customer[session])
    viewed = catalog.sample(rng, interest, arrive[session] // 86400)
    at = arrive[session] + (1 + rank) * 90
    again = np.zeros(session.size, dtype=bool)  # the same product twice in a row: once
    again[1:] = (viewed[1:] == viewed[:-1]) & (session[1:] == session[:-1])
    events.add(
        at[~again],
        _VIEW,
        -1,
        anonymous[session][~again],
        touchpoint[session][~again],
        product=viewed[~again],
    )

    last = np.cumsum(views) - 1
    carted = rng.random(customer.size) < 0.2
    cart_at = at[last] + 60
    events.add(
        cart_at[carted],
        _CART,
        -1,
        anonymous[carted],
        touchpoint[carted],
        product=viewed[last][carted],
    )
    logged_in = rng.random(customer.size) < 0.3
    events.add(
        cart_at[logged_in] + 60,
        _LOGIN,
        customer[logged_in],
        anonymous[logged_in],
        touchpoint[logged_in],
    )


def _favourite_leaf(rng: np.random.Generator, customers: Customers, customer: IntArray) -> IntArray:
    """A leaf in one of each customer's favourite interests, by the leaves' shares."""
    weights = leaf_weights(customers.affinity[customer])
    cumulative = np.cumsum(weights, axis=1)
    u = rng.random(customer.size) * cumulative[:, -1]
    picks = np.minimum((cumulative <= u[:, None]).sum(axis=1), len(LEAVES) - 1)
    return np.asarray(picks, dtype=np.int64)


def _strangers(
    rng: np.random.Generator,
    events: Events,
    catalog: Catalog,
    n: int,
    visitors: int,
    start: int,
    end: int,
) -> None:
    sessions = 1 + rng.poisson(0.8, visitors)
    visitor = np.repeat(np.arange(visitors), sessions)
    anonymous = 2 * n + visitor
    touchpoint = np.full(visitor.size, _WEB)
    arrive = _arrivals(rng, start, end, visitor.size)
    events.add(arrive, _PAGE, -1, anonymous, touchpoint, properties=0)
    searched = rng.random(visitor.size) < 0.4
    leaf = rng.integers(0, len(LEAVES), visitor.size)
    events.add(
        arrive[searched] + 30,
        _SEARCH,
        -1,
        anonymous[searched],
        touchpoint[searched],
        properties=_SEARCH_AT + leaf[searched],
    )
    views = rng.integers(1, 4, visitor.size)
    session = np.repeat(np.arange(visitor.size), views)
    rank = np.arange(session.size) - np.repeat(np.cumsum(views) - views, views)
    viewed = catalog.sample(rng, leaf[session], arrive[session] // 86400)
    again = np.zeros(session.size, dtype=bool)
    again[1:] = (viewed[1:] == viewed[:-1]) & (session[1:] == session[:-1])
    events.add(
        (arrive[session] + (1 + rank) * 75)[~again],
        _VIEW,
        -1,
        anonymous[session][~again],
        touchpoint[session][~again],
        product=viewed[~again],
    )


def _visits_and_calls(
    rng: np.random.Generator,
    events: Events,
    history: OrderHistory,
    customers: Customers,
    start: int,
    end: int,
) -> None:
    recent = (history.at >= start + 3600) & (history.customer >= 0)
    _, first = np.unique(np.array(history.order_id), return_index=True)
    first_line = first[recent[first]]
    customer = history.customer[first_line]
    channel = history.channel[first_line]
    at = history.at[first_line]
    returning = history.is_return[first_line]

    visit = channel == _STORE
    events.add(
        at[visit] - rng.integers(5, 40, int(visit.sum())) * _MINUTE,
        _VISIT,
        customer[visit],
        -1,
        _STORE,
        properties=_STORE_AT + history.store[first_line][visit],
    )
    phoned = (channel == _CALL_CENTRE) & ~returning
    events.add(
        at[phoned] - rng.integers(2, 15, int(phoned.sum())) * _MINUTE,
        _CALL,
        customer[phoned],
        -1,
        _CALL_CENTRE,
        properties=np.full(int(phoned.sum()), _CALL_AT),
    )
    asked = returning & (rng.random(first_line.size) < 0.25)
    events.add(
        at[asked] - rng.integers(1, 3, int(asked.sum())) * 86400,
        _CALL,
        customer[asked],
        -1,
        _CALL_CENTRE,
        properties=np.full(int(asked.sum()), _CALL_AT + 1),
    )
    n = len(customers.customer_id)
    worried = rng.random(n) < 0.03 * (end - start) / (90 * 86400)
    who = np.flatnonzero(worried & (history.observed_purchases > 0))
    call_at = rng.integers(start, end, who.size)
    call_at = (call_at // 86400) * 86400 + rng.integers(9 * 3600, 18 * 3600, who.size)
    events.add(
        call_at,
        _CALL,
        who,
        -1,
        _CALL_CENTRE,
        properties=_CALL_AT + rng.integers(2, 4, who.size),
    )
