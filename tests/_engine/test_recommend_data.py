"""Reading the store's lines into the recommendation core's inputs."""

from __future__ import annotations

from datetime import datetime

import pytest

import kunde.store.recommend as recommend_store
from kunde._engine.recommend_data import feed_categories, load_data
from kunde.catalog import ProductIn
from kunde.engine import Engine
from kunde.orders import OrderIn


def _order(order_id: str, customer: str | None, day: int, *lines: dict[str, object]) -> OrderIn:
    return OrderIn.model_validate(
        {
            "order_id": order_id,
            "customer_id": customer,
            "ordered_at": datetime(2026, 10, day, 12, 0),
            "lines": list(lines),
        }
    )


def _shop(engine: Engine) -> None:
    engine.upsert_products(
        [
            ProductIn(product_id="SPADE", name="Spade", category="Garden > Tools > Hand"),
            ProductIn(product_id="SEEDS", name="Basil seeds", category="Garden > Seeds"),
            ProductIn(product_id="BOOK", name="Crime novel", category="Books > Crime"),
        ]
    )
    engine.add_orders(
        [
            _order(
                "O1",
                "C1",
                1,
                {"product_id": "SPADE", "quantity": 2, "unit_price": 20.0},
                {"product_id": "POST", "quantity": 1, "unit_price": 4.9},
                {"product_id": "BOOK", "quantity": 1, "unit_price": 9.0, "is_gift": True},
            ),
            _order("O2", "C1", 3, {"product_id": "SPADE", "quantity": -2, "unit_price": 20.0}),
            _order("O3", None, 4, {"product_id": "SEEDS", "quantity": 1, "unit_price": 2.0}),
            _order("O4", "C2", 5, {"product_id": "SEEDS", "quantity": 3, "unit_price": 2.0}),
        ]
    )


def test_postage_returns_anonymous_orders_and_gifts(any_engine: Engine) -> None:
    engine = any_engine
    _shop(engine)
    data = load_data(engine.store, category_depth=2)
    bought = {
        (str(data.product_ids[i]), int(c), bool(own))
        for i, c, own in zip(data.item, data.customer, data.shapes_profile, strict=True)
    }
    c1 = int(list(data.customer_ids).index("C1"))
    c2 = int(list(data.customer_ids).index("C2"))
    # postage is no product; the spade was sent back in full; the gift stays out of C1's profile
    assert bought == {("BOOK", c1, False), ("SEEDS", -1, False), ("SEEDS", c2, True)}
    assert "POST" not in set(data.product_ids.tolist())
    assert data.n_baskets == 3  # the return order O2 holds no bought line
    assert list(data.category_names) == ["Books > Crime", "Garden > Seeds", "Garden > Tools"]


def test_reset_and_removed_interest_keep_lines_out_of_the_profile(any_engine: Engine) -> None:
    engine = any_engine
    _shop(engine)
    engine.add_orders(
        [_order("O5", "C2", 6, {"product_id": "BOOK", "quantity": 1, "unit_price": 9.0})]
    )
    engine.store.recommend.remove_interest("C2", "Books > Crime", datetime(2026, 10, 7))
    data = load_data(engine.store, category_depth=2)
    books = data.item == list(data.product_ids).index("BOOK")
    assert not data.shapes_profile[books].any()
    engine.store.recommend.reset("C2", datetime(2026, 10, 30))
    data = load_data(engine.store, category_depth=2)
    assert not data.shapes_profile.any()
    assert len(data.item) == 4  # every line still counts for co-purchase


def test_feed_categories_cut_the_path_at_the_depth() -> None:
    paths = ["Garden > Seeds > Herbs", "Books", "", " Home > Lighting "]
    assert feed_categories(paths, 2).tolist() == ["Garden > Seeds", "Books", "", "Home > Lighting"]
    assert feed_categories(paths, 1).tolist() == ["Garden", "Books", "", "Home"]


def test_serving_state_reads_consent_reset_removals_and_lines(any_engine: Engine) -> None:
    engine = any_engine
    _shop(engine)
    repo = engine.store.recommend
    assert repo.serving_state("NOBODY") is None
    state = repo.serving_state("C2")
    assert state is not None
    assert (state.consent, state.reset_at, state.removed) == (False, None, [])
    assert state.lines.product_id.tolist() == ["SEEDS"]
    assert state.lines.day.tolist() == [(datetime(2026, 10, 5) - datetime(1970, 1, 1)).days]
    repo.reset("C2", datetime(2026, 10, 30, 8, 0))
    repo.remove_interest("C2", "Garden > Seeds", datetime(2026, 10, 30, 9, 0))
    repo.put_editorial(["BOOK", "SEEDS"], 0.2, datetime(2026, 10, 30))
    state = repo.serving_state("C2")
    assert state is not None
    assert state.reset_at == datetime(2026, 10, 30, 8, 0)
    assert state.removed == [("Garden > Seeds", datetime(2026, 10, 30, 9, 0))]
    assert (state.editorial.product_ids, state.editorial.share) == (["BOOK", "SEEDS"], 0.2)
    assert state.editorial.updated_at == datetime(2026, 10, 30)
    assert state.lines.product_id.tolist() == ["SEEDS"]  # the picks are not the customer's lines
    assert state.lines.quantity.tolist() == [3.0]
    assert state.lines.is_gift.tolist() == [False]
    repo.remove_interest("C2", "Books", datetime(2026, 10, 30, 10, 0))
    state = repo.serving_state("C2")
    assert state is not None
    assert [c for c, _ in state.removed] == ["Books", "Garden > Seeds"]
    assert state.lines.product_id.tolist() == ["SEEDS"]  # one row per line, not per removal


def test_a_merged_profile_pools_lines_resets_and_removals(any_engine: Engine) -> None:
    from kunde.identity import IdentifierIn, IdentifierKind, IdentifyIn
    from kunde.privacy import Actor

    engine = any_engine
    _shop(engine)
    admin = Actor(key_id=None, role="admin")
    email = IdentifierIn(kind=IdentifierKind.EMAIL, value="same@example.de")
    for customer in ("C2", "C1"):  # C1 identifies last: C2 is merged into C1
        engine.identify(admin, IdentifyIn(customer_id=customer, identifiers=[email]))
    data = load_data(engine.store, category_depth=2)
    assert data.customer_ids.tolist() == ["C1"]
    assert (data.absorbed_ids.tolist(), data.absorbed_profile.tolist()) == (["C2"], ["C1"])
    seeds = data.item == list(data.product_ids).index("SEEDS")
    assert data.shapes_profile[seeds & (data.customer == 0)].all()  # C2's seeds shape C1
    engine.store.recommend.remove_interest("C2", "Garden > Seeds", datetime(2026, 10, 7))
    assert not load_data(engine.store, category_depth=2).shapes_profile.any()


def test_an_erased_customers_kept_lines_build_no_profile(any_engine: Engine) -> None:
    from kunde.privacy import Actor

    engine = any_engine
    _shop(engine)
    engine.erase_customer(Actor(key_id=None, role="admin"), "C2")
    data = load_data(engine.store, category_depth=2)
    assert list(data.customer_ids) == ["C1"]  # the pseudonym is nobody's profile
    seeds = [
        int(c)
        for i, c in zip(data.item, data.customer, strict=True)
        if data.product_ids[i] == "SEEDS"
    ]
    assert seeds == [-1, -1]  # both SEEDS baskets still count for "bought together"


def _lines_as_rows(engine: Engine) -> set[tuple[str, str, str, int, float, bool]]:
    lines = engine.store.recommend.lines()
    return set(
        zip(
            lines.customer_id.tolist(),
            lines.order_id.tolist(),
            lines.product_id.tolist(),
            lines.day.tolist(),
            lines.quantity.tolist(),
            lines.is_gift.tolist(),
            strict=True,
        )
    )


def test_lines_read_in_several_parts_are_the_same(
    any_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = any_engine
    _shop(engine)
    whole = _lines_as_rows(engine)
    monkeypatch.setattr(recommend_store, "LINES_PER_READ", 1)
    assert _lines_as_rows(engine) == whole
    assert whole == {
        ("C1", "O1", "BOOK", 20727, 1.0, True),
        ("", "O3", "SEEDS", 20730, 1.0, False),
        ("C2", "O4", "SEEDS", 20731, 3.0, False),
    }


def test_an_id_holding_the_separator_is_read_row_by_row(any_engine: Engine) -> None:
    engine = any_engine
    _shop(engine)
    engine.add_orders(
        [_order("O\x1f9", "C\x1f3", 6, {"product_id": "BOOK", "quantity": 1, "unit_price": 9.0})]
    )
    assert ("C\x1f3", "O\x1f9", "BOOK", 20732, 1.0, False) in _lines_as_rows(engine)
    assert len(_lines_as_rows(engine)) == 4
