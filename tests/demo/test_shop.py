"""The shop as a whole: public names, determinism, arguments, size and speed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pyarrow.compute as pc
import pytest

import kunde.demo
from kunde.demo import generate_shop, write_shop


def test_public_names() -> None:
    assert set(kunde.demo.__all__) == {
        "DEMO_TODAY",
        "EVENT_COLUMNS",
        "NEW_RELEASE_DAYS",
        "ORDER_COLUMNS",
        "PRODUCT_COLUMNS",
        "DemoShop",
        "generate_shop",
        "write_shop",
    }


def _files(seed: int, directory: Path) -> dict[str, bytes]:
    paths = write_shop(generate_shop(seed=seed, customers=150), directory)
    return {name: path.read_bytes() for name, path in paths.items()}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = _files(3, tmp_path / "a")
    second = _files(3, tmp_path / "b")
    assert set(first) == {"products", "orders", "events"}
    assert first == second


def test_another_seed_gives_another_shop(tmp_path: Path) -> None:
    first = _files(3, tmp_path / "a")
    other = _files(4, tmp_path / "b")
    for name in first:
        assert first[name] != other[name], name


def test_dates_follow_today_not_the_wall_clock() -> None:
    today = date(2031, 6, 15)
    shop = generate_shop(seed=3, customers=200, today=today)
    first = pc.min(shop.lines["ordered_at"]).as_py().date()
    last = pc.max(shop.lines["ordered_at"]).as_py().date()
    assert today - timedelta(days=730) <= first and last < today
    assert (today - last).days <= 7
    assert pc.max(shop.events["occurred_at"]).as_py().date() < today


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="customers"):
        generate_shop(customers=0)
    with pytest.raises(ValueError, match="anonymous_share"):
        generate_shop(anonymous_share=1.0)


def test_default_shop_size_and_speed() -> None:
    import time

    started = time.perf_counter()
    shop = generate_shop()
    seconds = time.perf_counter() - started
    assert 30_000 <= shop.lines.num_rows <= 60_000
    assert shop.customers.num_rows == 2000
    assert seconds < 10
