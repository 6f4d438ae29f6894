"""Fixed-width day and gift texts parsed by numpy agree with numpy's own calendar."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kunde.store._line_text import days_and_gifts


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.dates(), st.booleans()), min_size=1, max_size=50))
def test_days_and_gifts_match_numpy_dates(lines: list[tuple[object, bool]]) -> None:
    dates = np.array([str(d) for d, _ in lines], dtype="datetime64[D]")
    text = "".join(f"{d}{int(g)}" for d, g in lines)
    parsed = days_and_gifts(text, len(lines))
    assert parsed is not None
    days, gifts = parsed
    np.testing.assert_array_equal(days, (dates - np.datetime64("1970-01-01")).astype(np.int64))
    assert gifts.tolist() == [g for _, g in lines]


def test_anything_but_that_layout_is_refused() -> None:
    assert days_and_gifts("2011-12-0901", 1) is None  # one character too many
    assert days_and_gifts("2011/12/091", 1) is None
    assert days_and_gifts("2011-13-091", 1) is None
    assert days_and_gifts("2011-12-092", 1) is None  # a gift flag is 0 or 1
    assert days_and_gifts("2011-12-0é1", 1) is None
    parsed = days_and_gifts("2011-12-0912000-02-290", 2)
    assert parsed is not None
    assert parsed[0].tolist() == [15317, 11016]
    assert parsed[1].tolist() == [True, False]
