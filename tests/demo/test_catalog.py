"""The demo catalog: a category tree with brands, prices and new releases."""

from __future__ import annotations

from kunde.demo import NEW_RELEASE_DAYS, DemoShop


def interest(category: str) -> str:
    return " > ".join(category.split(" > ")[:2])


def test_catalog_is_a_category_tree_with_prices_and_new_releases(shop: DemoShop) -> None:
    products = shop.products.to_pylist()
    categories = {p["category"] for p in products}
    assert categories == set(shop.categories)
    assert any(c.count(" > ") == 2 for c in categories)
    assert {"Kitchen > Coffee > Beans", "Garden > Tools > Hand Tools"} <= categories
    assert all(interest(c) in shop.interests for c in categories)
    assert all(p["price"] > 0 and p["brand"] and p["name"] for p in products)
    assert len({p["product_id"] for p in products}) == len(products)
    new = [p for p in products if (shop.today - p["released_at"]).days <= NEW_RELEASE_DAYS]
    assert len(new) >= 3
    assert all(p["released_at"] < shop.today for p in products)


def test_nothing_is_bought_before_its_release(shop: DemoShop, lines: list[dict]) -> None:
    released = {p["product_id"]: p["released_at"] for p in shop.products.to_pylist()}
    for line in lines:
        if line["product_id"] != "POST":
            assert released[line["product_id"]] <= line["ordered_at"].date()
    new = {pid for pid, day in released.items() if (shop.today - day).days <= NEW_RELEASE_DAYS}
    assert any(line["product_id"] in new for line in lines)
