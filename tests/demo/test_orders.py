"""Two years of orders: seasons, interests, presents, returns, complements, lapsing."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow.compute as pc

from kunde.demo import DemoShop


def interest(category: str) -> str:
    return " > ".join(category.split(" > ")[:2])


def test_history_spans_two_years_before_today(shop: DemoShop) -> None:
    first = pc.min(shop.lines["ordered_at"]).as_py()
    last = pc.max(shop.lines["ordered_at"]).as_py()
    assert (shop.today - first.date()).days >= 700
    assert last.date() < shop.today


def test_december_outsells_summer(lines: list[dict]) -> None:
    revenue: dict[tuple[int, int], float] = defaultdict(float)
    for line in lines:
        revenue[line["ordered_at"].year, line["ordered_at"].month] += (
            line["quantity"] * line["unit_price"]
        )
    assert revenue[2025, 12] > revenue[2025, 7]
    assert revenue[2025, 12] > revenue[2025, 8]


def test_garden_sells_in_summer(lines: list[dict], category: dict[str, str]) -> None:
    garden = defaultdict(int)
    for line in lines:
        if line["quantity"] > 0 and category.get(line["product_id"], "").startswith("Garden"):
            garden[line["ordered_at"].month] += 1
    assert garden[6] > 2 * garden[1]


def test_channels_stores_and_anonymous_orders(lines: list[dict]) -> None:
    assert {line["channel"] for line in lines} == {"web", "app", "store", "call_centre"}
    for line in lines:
        assert (line["store_id"] is not None) == (line["channel"] == "store")
    assert any(line["customer_id"] is None for line in lines)
    postage = [line for line in lines if line["product_id"] == "POST"]
    assert postage and all(line["channel"] != "store" for line in postage)


def test_one_line_per_product_and_order(lines: list[dict]) -> None:
    keys = [(line["order_id"], line["product_id"]) for line in lines]
    assert len(keys) == len(set(keys))


def test_customers_stick_to_their_favourite_interests(
    lines: list[dict], category: dict[str, str], favourites: dict[str, set[str]]
) -> None:
    assert all(1 <= len(f) <= 3 for f in favourites.values())
    own = [
        line
        for line in lines
        if line["customer_id"] and line["product_id"] != "POST" and not line["is_gift"]
    ]
    inside = sum(
        interest(category[line["product_id"]]) in favourites[line["customer_id"]] for line in own
    )
    assert inside / len(own) > 0.7


def test_gifts_are_outside_the_buyers_interests(
    lines: list[dict], category: dict[str, str], favourites: dict[str, set[str]]
) -> None:
    gifts = [line for line in lines if line["is_gift"] and line["customer_id"]]
    assert len(gifts) > 50
    for line in gifts:
        assert interest(category[line["product_id"]]) not in favourites[line["customer_id"]]
    december = sum(line["ordered_at"].month == 12 for line in gifts)
    assert december / len(gifts) > 2 / 12


def test_returns_follow_a_purchase_of_the_same_product(lines: list[dict]) -> None:
    bought: dict[tuple[str, str], list] = defaultdict(list)
    for line in lines:
        if line["quantity"] > 0 and line["customer_id"]:
            bought[line["customer_id"], line["product_id"]].append(line["ordered_at"])
    returns = [line for line in lines if line["quantity"] < 0]
    assert len(returns) > 20
    for line in returns:
        assert line["order_id"].startswith("R")
        assert line["product_id"] != "POST"
        earlier = bought[line["customer_id"], line["product_id"]]
        assert any(at < line["ordered_at"] for at in earlier)


def test_complements_are_bought_together(lines: list[dict], category: dict[str, str]) -> None:
    baskets: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if line["quantity"] > 0 and line["product_id"] != "POST":
            baskets[line["order_id"]].add(category[line["product_id"]])
    machines = [b for b in baskets.values() if "Kitchen > Coffee > Machines" in b]
    others = [b for b in baskets.values() if "Kitchen > Coffee > Machines" not in b]
    with_beans = np.mean(["Kitchen > Coffee > Beans" in b for b in machines])
    base_rate = np.mean(["Kitchen > Coffee > Beans" in b for b in others])
    assert with_beans > 0.5 > 3 * base_rate


def test_repeat_buyers_lapse(shop: DemoShop) -> None:
    truth = shop.truth.to_pylist()
    observed = np.array([row["observed_purchases"] for row in truth])
    alive = np.array([row["alive"] for row in truth])
    assert (observed >= 5).mean() > 0.15
    assert 0.2 < alive.mean() < 0.8
    # customers whose purchases the history shows, ending with a lapse, exist too
    assert ((observed >= 2) & ~alive).sum() > 20
