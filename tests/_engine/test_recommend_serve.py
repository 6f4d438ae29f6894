"""Serving recommendations: consent gate, the customer's control, editorial, feed rules."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kunde._engine.recommend_model import ModelCache
from kunde.engine import Engine
from kunde.errors import InvalidFieldError, NotFittedError, NotFoundError
from kunde.identity import CustomerProfile
from kunde.orders import OrderIn
from kunde.privacy import Actor, ConsentChange

ADMIN = Actor(key_id=None, role="admin")
PERSONAL_CODES = {"bought_with", "new_in_category", "explore"}


def consent(engine: Engine, customer_id: str, granted: bool = True) -> None:
    change = ConsentChange(
        purpose="personalization", granted=granted, policy_version="v1", source="web"
    )
    engine.record_consents(ADMIN, customer_id, [change])


def loyal_customers(engine: Engine, n: int = 5) -> list[str]:
    """Customers with the longest own histories in the trained model."""
    model = engine.recommend_model()
    filled = (model.candidates >= 0).sum(axis=1)
    data = engine.store.recommend.lines()
    counts = Counter(data.customer_id.tolist())
    ranked = sorted((c for c in model.customer_ids.tolist() if c), key=lambda c: (-counts[c], c))
    return [c for c in ranked if filled[model.customer(c)] > 0][:n]


def bought(engine: Engine, customer_id: str) -> set[str]:
    lines = engine.store.recommend.customer_lines(customer_id)
    return set(lines.product_id[~lines.is_gift].tolist())


def test_untrained_shop_answers_not_fitted(engine: Engine) -> None:
    engine.upsert_customers([CustomerProfile(customer_id="C-1")])
    with pytest.raises(NotFittedError, match="kunde train"):
        engine.recommendations("C-1")


def test_without_consent_the_page_is_popular_and_says_so(demo_engine: Engine) -> None:
    customer = loyal_customers(demo_engine, 1)[0]
    consent(demo_engine, customer, granted=False)  # the demo's customers mostly agreed
    page = demo_engine.recommendations(customer)
    assert page["personal"] is False
    assert page["basis"] == "no_consent"
    assert {i["reason_code"] for i in page["items"]} <= {"popular", "editorial"}
    assert len(page["items"]) == 10

    consent(demo_engine, customer)
    page = demo_engine.recommendations(customer)
    assert page["personal"] is True
    assert any(i["reason"].startswith("because you bought") for i in page["items"])

    consent(demo_engine, customer, granted=False)  # withdrawn: the next request obeys
    assert demo_engine.recommendations(customer)["personal"] is False
    assert demo_engine.interests(customer)["interests"] == []


def test_new_customer_gets_popular_and_editorial(demo_engine: Engine) -> None:
    demo_engine.upsert_customers([CustomerProfile(customer_id="NEW-1", country="DE")])
    consent(demo_engine, "NEW-1")
    picks = demo_engine.recommend_model().product_ids[:3].tolist()
    demo_engine.put_editorial(picks)
    page = demo_engine.recommendations("NEW-1")
    assert page["personal"] is False
    assert page["basis"] == "no_history"
    codes = Counter(i["reason_code"] for i in page["items"])
    assert codes == {"editorial": 3, "popular": 7}
    assert {i["reason"] for i in page["items"]} == {"our pick", "popular this week"}


def test_reset_empties_the_interests_on_the_next_request(demo_engine: Engine) -> None:
    customer = loyal_customers(demo_engine, 1)[0]
    consent(demo_engine, customer)
    assert demo_engine.interests(customer)["interests"]
    demo_engine.reset_personalization(ADMIN, customer)
    view = demo_engine.interests(customer)
    assert view["interests"] == []
    assert view["reset_at"] is not None
    page = demo_engine.recommendations(customer)
    assert page["personal"] is False
    assert page["basis"] == "no_history"
    assert not {i["reason_code"] for i in page["items"]} & PERSONAL_CODES


def test_purchases_after_a_reset_shape_the_feed_again(demo_engine: Engine) -> None:
    customer = loyal_customers(demo_engine, 1)[0]
    consent(demo_engine, customer)
    demo_engine.reset_personalization(ADMIN, customer)
    model = demo_engine.recommend_model()
    product = str(model.product_ids[int(model.also_bought.getnnz(axis=1).argmax())])
    later = datetime.now().replace(microsecond=0) + timedelta(seconds=2)
    demo_engine.add_orders(
        [
            OrderIn.model_validate(
                {
                    "order_id": "AFTER-RESET",
                    "customer_id": customer,
                    "ordered_at": later,
                    "lines": [{"product_id": product, "quantity": 1, "unit_price": 5.0}],
                }
            )
        ]
    )
    view = demo_engine.interests(customer)
    assert [i["category"] for i in view["interests"]] == [
        str(model.category_names[model.item_category[model.product(product)]])
    ]
    page = demo_engine.recommendations(customer)
    assert page["personal"] is True
    assert product not in {i["product_id"] for i in page["items"]}


def test_a_removed_interest_leaves_interests_and_page(demo_engine: Engine) -> None:
    for customer in loyal_customers(demo_engine, 3):
        consent(demo_engine, customer)
        top = demo_engine.interests(customer)["interests"][0]["category"]
        demo_engine.remove_interest(ADMIN, customer, top)
        view = demo_engine.interests(customer)
        assert top not in [i["category"] for i in view["interests"]]
        assert view["removed"] == [top]
        page = demo_engine.recommendations(customer)
        assert all(i["category"] != top for i in page["items"] if i["reason_code"] != "editorial")


def test_unknown_category_customer_and_product(demo_engine: Engine) -> None:
    customer = loyal_customers(demo_engine, 1)[0]
    with pytest.raises(NotFoundError):
        demo_engine.remove_interest(ADMIN, customer, "No > Such")
    with pytest.raises(NotFoundError):
        demo_engine.recommendations("NOBODY")
    with pytest.raises(NotFoundError):
        demo_engine.also_bought("NO-SUCH-PRODUCT")
    with pytest.raises(NotFoundError):
        demo_engine.recommendations(customer, context="cart", product_ids=["NO-SUCH"])
    with pytest.raises(InvalidFieldError):
        demo_engine.recommendations(customer, k=0)
    with pytest.raises(InvalidFieldError):
        demo_engine.recommendations(customer, context="product")


@pytest.mark.parametrize("k", [5, 10, 20], ids=lambda k: f"k{k}")
def test_feed_rules_hold_for_consenting_customers(demo_engine: Engine, k: int) -> None:
    model = demo_engine.recommend_model()
    picks = model.product_ids[model.shop_popular()[:6]].tolist()
    demo_engine.put_editorial(picks, share=0.3)
    cap = -(-4 * k // 10)
    for customer in loyal_customers(demo_engine, 8):
        consent(demo_engine, customer)
        page = demo_engine.recommendations(customer, k=k)
        items = page["items"]
        ids = [i["product_id"] for i in items]
        assert len(ids) == len(set(ids)) == k
        per_category = Counter(i["category"] for i in items)
        assert max(per_category.values()) <= cap
        assert not set(ids) & bought(demo_engine, customer)  # no consumables configured
        editorial = [i for i in items if i["reason_code"] == "editorial"]
        assert len(editorial) <= round(0.3 * k)
        assert all(i["reason"] for i in items)


def test_cart_context_recommends_what_goes_with_the_cart(demo_engine: Engine) -> None:
    model = demo_engine.recommend_model()
    product = str(model.product_ids[int(model.also_bought.getnnz(axis=1).argmax())])
    demo_engine.upsert_customers([CustomerProfile(customer_id="SHOPPER")])
    page = demo_engine.recommendations("SHOPPER", context="cart", product_ids=[product])
    assert page["personal"] is False
    with_cart = [i for i in page["items"] if i["because_of"] == product]
    assert with_cart
    assert all(i["reason"].startswith("often bought with") for i in with_cart)
    assert product not in {i["product_id"] for i in page["items"]}


def test_also_bought_and_complements(demo_engine: Engine) -> None:
    model = demo_engine.recommend_model()
    product = str(model.product_ids[int(model.also_bought.getnnz(axis=1).argmax())])
    also = demo_engine.also_bought(product, k=5)
    assert 0 < len(also["items"]) <= 5
    assert also["personal"] is False
    scores = [i["score"] for i in also["items"]]
    assert scores == sorted(scores, reverse=True)
    own_category = model.category_names[model.item_category[model.product(product)]]
    for item in demo_engine.complements(product, k=10)["items"]:
        assert item["category"] != own_category


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    gifts=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 5)), min_size=1, max_size=6),
    day=st.integers(0, 60),
)
def test_gift_lines_never_move_the_served_interests(
    demo_engine: Engine, gifts: list[tuple[int, int]], day: int
) -> None:
    customer = loyal_customers(demo_engine, 1)[0]
    consent(demo_engine, customer)
    before = demo_engine.interests(customer)["interests"]
    model = demo_engine.recommend_model()
    quantity = {str(model.product_ids[p % len(model.product_ids)]): q for p, q in gifts}
    lines = [
        {"product_id": product, "quantity": q, "unit_price": 3.0, "is_gift": True}
        for product, q in quantity.items()
    ]
    order_id = f"GIFT-{abs(hash((tuple(gifts), day)))}"
    demo_engine.add_orders(
        [
            OrderIn.model_validate(
                {
                    "order_id": order_id,
                    "customer_id": customer,
                    "ordered_at": datetime(2026, 9, 1) + timedelta(days=day),
                    "lines": lines,
                }
            )
        ]
    )
    assert demo_engine.interests(customer)["interests"] == before


def test_concurrent_first_requests_all_get_the_trained_model(demo_engine: Engine) -> None:
    # A fresh server process: its first requests arrive together while one of them loads.
    cache = ModelCache(demo_engine.settings.data_dir)
    start = threading.Barrier(8)
    seen: list[object] = []

    def first_request() -> None:
        start.wait()
        seen.append(cache.get())

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and None not in seen
