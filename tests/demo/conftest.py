"""The demo shop every test here looks at (generated once per session)."""

from __future__ import annotations

import pytest

from kunde.demo import DemoShop, generate_shop


@pytest.fixture(scope="session")
def shop() -> DemoShop:
    """A mid-sized demo shop."""
    return generate_shop(seed=11, customers=600)


@pytest.fixture(scope="session")
def lines(shop: DemoShop) -> list[dict[str, object]]:
    """The shop's order lines as dicts."""
    return shop.lines.to_pylist()


@pytest.fixture(scope="session")
def category(shop: DemoShop) -> dict[str, str]:
    """product_id -> category path."""
    return dict(
        zip(
            shop.products["product_id"].to_pylist(),
            shop.products["category"].to_pylist(),
            strict=True,
        )
    )


@pytest.fixture(scope="session")
def favourites(shop: DemoShop) -> dict[str, set[str]]:
    """customer_id -> favourite interests."""
    return {row["customer_id"]: set(row["favourite_interests"]) for row in shop.truth.to_pylist()}
