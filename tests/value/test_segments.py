"""RFM scores, named segments and the high-value segment."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kunde.value import (
    HIGH_VALUE,
    SEGMENTS,
    assign_segments,
    high_value,
    rfm_scores,
    segment_codes,
    segment_totals,
)


def test_scores_are_quintiles_from_1_to_5() -> None:
    values = np.arange(100, dtype=float)
    scores = rfm_scores(days_since_last=values, purchase_days=values, monetary=values)
    assert np.bincount(scores.frequency)[1:].tolist() == [20, 20, 20, 20, 20]
    assert scores.recency[0] == 5 and scores.recency[-1] == 1  # most recent scores best
    assert scores.monetary[-1] == 5
    assert scores.code[-1] == 155


def test_ties_share_a_score() -> None:
    scores = rfm_scores([1, 1, 1, 1, 50], [0, 0, 0, 0, 9], [5, 5, 5, 5, 5])
    assert len(set(scores.frequency[:4].tolist())) == 1
    assert len(set(scores.monetary.tolist())) == 1


def test_named_segments_follow_the_rules() -> None:
    # customer: recent one-timer, recent big spender, quiet big spender, long-gone small buyer
    days_since = np.array([1.0, 2.0, 300.0, 400.0, 3.0, 200.0, 250.0, 5.0, 100.0, 350.0])
    frequency = np.array([0.0, 20.0, 15.0, 0.0, 1.0, 3.0, 0.0, 8.0, 2.0, 1.0])
    monetary = np.array([10.0, 300.0, 250.0, 5.0, 20.0, 60.0, 8.0, 150.0, 40.0, 12.0])
    scores = rfm_scores(days_since, frequency, monetary)
    segments = assign_segments(scores, frequency)
    assert segments[0] == "new"
    assert segments[1] == "champions"
    assert segments[2] == "at_risk"
    assert segments[3] == "lost"
    assert set(segments) <= set(SEGMENTS)


@settings(max_examples=50, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.floats(0, 1000), st.integers(0, 50), st.floats(0, 1000)),
        min_size=1,
        max_size=200,
    )
)
def test_every_customer_is_in_exactly_one_segment_and_totals_add_up(data) -> None:
    days, freq, money = (np.array(col, dtype=float) for col in zip(*data, strict=True))
    scores = rfm_scores(days, freq, money)
    assert scores.recency.min() >= 1 and scores.recency.max() <= 5
    segments = assign_segments(scores, freq)
    value = money * (freq + 1)
    flags = high_value(value)
    totals = segment_totals(segments, value, flags)
    assert sum(totals.customers[s] for s in SEGMENTS) == len(data)
    assert math.isclose(sum(totals.value[s] for s in SEGMENTS), value.sum(), rel_tol=1e-9)
    assert totals.customers[HIGH_VALUE] <= math.ceil(0.1 * len(data))


def test_high_value_is_the_top_decile() -> None:
    value = np.arange(1, 101, dtype=float)
    flags = high_value(value)
    assert flags.sum() == 10
    assert flags[90:].all()
    assert not high_value(np.zeros(5)).any()


@settings(deadline=None)  # the first example imports scipy.stats
@given(st.lists(st.integers(0, 6), min_size=1, max_size=60))
def test_average_ranks_match_scipy(values: list[int]) -> None:
    from scipy.stats import rankdata

    from kunde.value._rfm import _average_ranks

    arr = np.array(values, dtype=np.float64)
    np.testing.assert_allclose(_average_ranks(arr), rankdata(arr, method="average"))


@settings(deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(-5, 6).map(float),  # counted
            st.integers(-(10**9), 10**9).map(float),  # a wide range: sorted
            st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 2)),  # fractions
        ),
        min_size=1,
        max_size=80,
    )
)
def test_average_ranks_match_scipy_on_counted_and_sorted_values(values: list[float]) -> None:
    from scipy.stats import rankdata

    from kunde.value._rfm import _average_ranks

    arr = np.array(values, dtype=np.float64)
    np.testing.assert_array_equal(_average_ranks(arr), rankdata(arr, method="average"))


@given(st.lists(st.tuples(st.integers(0, 900), st.integers(0, 30)), min_size=1, max_size=100))
def test_segment_codes_index_the_segment_names(data: list[tuple[int, int]]) -> None:
    days, freq = (np.array(col, dtype=float) for col in zip(*data, strict=True))
    scores = rfm_scores(days, freq + 1, freq * 3.5)
    codes = segment_codes(scores, freq)
    assert codes.dtype == np.int8
    assert np.array(SEGMENTS)[codes].tolist() == assign_segments(scores, freq).tolist()
