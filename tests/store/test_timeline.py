"""Timeline contract, run on SQLite and PostgreSQL: sources, stitching, phases, paging."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kunde.engine import Engine
from kunde.errors import InvalidFieldError, NotFoundError
from kunde.identity import EventIn, IdentifierIn, IdentifierKind, IdentifyIn
from kunde.orders import LineIn, OrderIn
from kunde.privacy import Actor, ConsentChange, Purpose

ADMIN = Actor(key_id=None, role="admin")
BUY = datetime(2026, 5, 10, 12, 0)


def event(event_id: str, at: datetime, touchpoint: str, **who: str) -> EventIn:
    return EventIn(
        event_id=event_id, occurred_at=at, type="page_view", touchpoint=touchpoint, **who
    )


def order(order_id: str, customer_id: str | None, at: datetime, *quantities: int) -> OrderIn:
    return OrderIn(
        order_id=order_id,
        customer_id=customer_id,
        ordered_at=at,
        channel="web" if customer_id else "store",
        lines=[
            LineIn(product_id=f"P{i}", quantity=q, unit_price=5.0) for i, q in enumerate(quantities)
        ],
    )


@pytest.fixture
def shop(any_engine: Engine) -> Engine:
    """Anna browses anonymously, logs in, buys on the web, returns in the store, calls."""
    any_engine.add_events(
        [
            event("browse", BUY - timedelta(days=3), "web", anonymous_id="cookie-1"),
            event("cart", BUY - timedelta(minutes=10), "web", anonymous_id="cookie-1"),
            event(
                "login",
                BUY - timedelta(minutes=5),
                "web",
                customer_id="anna",
                anonymous_id="cookie-1",
            ),
            event("app", BUY + timedelta(days=2), "app", device_id="phone-9"),
            event("call", BUY + timedelta(days=5), "call_centre", customer_id="anna"),
            event("mail", BUY - timedelta(days=40), "email", customer_id="anna"),
            event("other", BUY, "web", anonymous_id="cookie-2"),
        ]
    )
    any_engine.add_orders(
        [
            order("O1", "anna", BUY, 2, 1),
            order("R1", "anna", BUY + timedelta(days=6), -1),
            order("G1", None, BUY + timedelta(days=20), 1),  # a guest checkout, claimed below
            order("X1", None, BUY + timedelta(days=21), 1),  # someone else's
        ]
    )
    any_engine.identify(
        ADMIN,
        IdentifyIn(
            customer_id="anna",
            identifiers=[
                IdentifierIn(kind=IdentifierKind.DEVICE_ID, value="phone-9"),
                IdentifierIn(kind=IdentifierKind.ORDER_ID, value="G1"),
            ],
        ),
    )
    any_engine.record_consents(
        ADMIN,
        "anna",
        [
            ConsentChange(
                purpose=Purpose.EMAIL_MARKETING, granted=True, policy_version="v1", source="web"
            )
        ],
    )
    return any_engine


def test_one_timeline_across_touchpoints_newest_first(shop: Engine) -> None:
    page = shop.timeline("anna")
    got = [(i["kind"], i["id"], i["touchpoint"], i["phase"], i["stitched"]) for i in page["items"]]
    consent = got[0]
    assert consent[0] == "consent" and consent[2] == "web"  # recorded now, after the shop's past
    assert got[1:] == [
        ("order", "G1", "store", "during", True),
        ("return", "R1", "web", "after", False),
        ("event", "call", "call_centre", "after", False),
        ("event", "app", "app", "after", True),
        ("order", "O1", "web", "during", False),
        ("event", "login", "web", "during", False),
        ("event", "cart", "web", "during", True),
        ("event", "browse", "web", "before", True),
        ("event", "mail", "email", None, False),
    ]
    o1 = next(i for i in page["items"] if i["id"] == "O1")
    assert o1["details"]["total"] == 15.0 and len(o1["details"]["lines"]) == 2
    assert page["next_cursor"] is None


def test_pages_cover_every_item_once(shop: Engine) -> None:
    whole = [i["id"] for i in shop.timeline("anna", limit=500)["items"]]
    seen: list[str] = []
    cursor = None
    while True:
        page = shop.timeline("anna", limit=2, cursor=cursor)
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == whole and len(whole) == 10


def test_items_at_the_same_time_page_without_loss(any_engine: Engine) -> None:
    at = datetime(2026, 1, 1, 12)
    any_engine.add_events([event(f"e{i}", at, "web", customer_id="bo") for i in range(5)])
    any_engine.add_orders([order(f"O{i}", "bo", at, 1) for i in range(3)])
    ids: list[str] = []
    cursor = None
    for _ in range(10):
        page = any_engine.timeline("bo", limit=3, cursor=cursor)
        ids += [i["id"] for i in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert ids == ["O2", "O1", "O0", "e4", "e3", "e2", "e1", "e0"]


def test_filters_by_touchpoint_and_time(shop: Engine) -> None:
    web = shop.timeline("anna", touchpoint="web", until=BUY + timedelta(days=1))
    assert [i["id"] for i in web["items"]] == ["O1", "login", "cart", "browse"]
    since = shop.timeline("anna", since=BUY + timedelta(days=1), until=BUY + timedelta(days=6))
    assert [i["id"] for i in since["items"]] == ["call", "app"]


def test_bad_parameters_and_unknown_customers(shop: Engine) -> None:
    with pytest.raises(InvalidFieldError, match="cursor"):
        shop.timeline("anna", cursor="garbage")
    with pytest.raises(InvalidFieldError, match="limit"):
        shop.timeline("anna", limit=0)
    with pytest.raises(InvalidFieldError, match="until"):
        shop.timeline("anna", since=BUY, until=BUY)
    with pytest.raises(NotFoundError):
        shop.timeline("nobody")
