"""The line key: stable across runs and versions, sensitive to every identifying field."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kunde.orders import line_keys

US = 1_000_000


def keys(
    order: list[str],
    product: list[str | None],
    customer: list[str | None],
    at: list[int],
    quantity: list[int],
    price: list[float],
) -> list[int]:
    return line_keys(
        pa.array(order, pa.string()),
        pa.array(product, pa.string()),
        pa.array(customer, pa.string()),
        np.array(at, dtype=np.int64),
        np.array(quantity, dtype=np.int64),
        np.array(price, dtype=np.float64),
    ).tolist()


def test_key_is_pinned_so_that_reimports_after_an_upgrade_still_find_duplicates() -> None:
    # If this value changes, every stored line would be imported a second time.
    assert keys(["536365"], ["85123A"], ["17850"], [1291191960 * US], [6], [2.55]) == [PINNED]


PINNED = 2103301502284236650


def test_every_identifying_field_changes_the_key() -> None:
    base = (["o1"], ["p1"], ["c1"], [1_700_000_000 * US], [2], [9.99])
    variants = [
        (["o2"], ["p1"], ["c1"], [1_700_000_000 * US], [2], [9.99]),
        (["o1"], ["p2"], ["c1"], [1_700_000_000 * US], [2], [9.99]),
        (["o1"], ["p1"], ["c2"], [1_700_000_000 * US], [2], [9.99]),
        (["o1"], ["p1"], [None], [1_700_000_000 * US], [2], [9.99]),
        (["o1"], [None], ["c1"], [1_700_000_000 * US], [2], [9.99]),
        (["o1"], ["p1"], ["c1"], [1_700_000_001 * US], [2], [9.99]),
        (["o1"], ["p1"], ["c1"], [1_700_000_000 * US], [3], [9.99]),
        (["o1"], ["p1"], ["c1"], [1_700_000_000 * US], [2], [9.98]),
        (["o1"], ["p1"], ["c1"], [1_700_000_000 * US], [2], [float("nan")]),
        # field boundaries matter: "o1"+"p1" is not "o"+"1p1"
        (["o"], ["1p1"], ["c1"], [1_700_000_000 * US], [2], [9.99]),
    ]
    key = keys(*base)[0]
    others = [keys(*v)[0] for v in variants]
    assert key not in others
    assert len(set(others)) == len(others)


def test_keys_are_positive_63_bit_and_start_with_the_day() -> None:
    day = 15_000
    result = keys(["a", "b"], ["x", "y"], ["c", None], [day * 86_400 * US] * 2, [1, -1], [1.0, 0.0])
    for key in result:
        assert 0 <= key < 2**63
        assert key >> 47 == day


def test_batch_result_equals_one_by_one_and_zero_signs_agree() -> None:
    rng = np.random.default_rng(7)
    n = 200
    order = [f"o{rng.integers(0, 50)}" for _ in range(n)]
    product = [None if i % 7 == 0 else f"product-{i * 31 % 97}" * (i % 5 + 1) for i in range(n)]
    customer = [None if i % 5 == 0 else f"c{i % 13}" for i in range(n)]
    at = (rng.integers(1_000_000, 2_000_000, n) * US).tolist()
    quantity = rng.integers(-3, 10, n).tolist()
    price = rng.random(n).round(2).tolist()
    together = keys(order, product, customer, at, quantity, price)
    alone = [
        keys([order[i]], [product[i]], [customer[i]], [at[i]], [quantity[i]], [price[i]])[0]
        for i in range(n)
    ]
    assert together == alone
    assert keys(["o"], ["p"], ["c"], [0], [1], [0.0]) == keys(["o"], ["p"], ["c"], [0], [1], [-0.0])
