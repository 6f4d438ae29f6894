"""Per-customer summaries from per-customer-day rows."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kunde.value import holdout_purchases, summarize_customer_days, summarize_customer_totals

CALIBRATION_END = np.datetime64("1997-09-30")
HOLDOUT_END = np.datetime64("1998-06-30")


def test_summary_of_the_raw_sample_matches_the_published_calibration_summary(
    cdnow, cdnow_sample
) -> None:
    s = cdnow_sample
    summary = summarize_customer_days(
        s.customer, s.day, s.value, as_of=CALIBRATION_END, purchase_day=s.cds > 0
    )
    x, t_x, T = summary.history("W")
    np.testing.assert_array_equal(x, cdnow.x)
    np.testing.assert_allclose(t_x, cdnow.t_x, atol=0.005)  # published rounded to 2 decimals
    np.testing.assert_allclose(T, cdnow.T, atol=0.005)
    np.testing.assert_allclose(summary.monetary, cdnow.zbar, atol=0.005)


def test_holdout_counts_distinct_purchase_days_after_calibration(cdnow_sample) -> None:
    s = cdnow_sample
    holdout = holdout_purchases(
        s.customer, s.day, after=CALIBRATION_END, until=HOLDOUT_END, purchase_day=s.cds > 0
    )
    assert holdout.shape == (2357,)
    assert holdout.sum() == 1882
    later = s.day > CALIBRATION_END
    assert holdout.sum() <= np.count_nonzero(later)


def test_days_after_as_of_are_ignored_and_days_deduplicated() -> None:
    customer = [0, 0, 0, 0, 1]
    day = [10, 10, 15, 30, 12]
    value = [5.0, 5.0, 20.0, 99.0, 7.0]
    summary = summarize_customer_days(customer, day, value, as_of=20)
    np.testing.assert_array_equal(summary.frequency, [1, 0])
    np.testing.assert_array_equal(summary.recency_days, [5, 0])
    np.testing.assert_array_equal(summary.tenure_days, [10, 8])
    np.testing.assert_array_equal(summary.monetary, [20.0, 0.0])
    np.testing.assert_array_equal(summary.total_value, [30.0, 7.0])
    np.testing.assert_array_equal(summary.days_since_last, [5, 8])


def test_customers_without_purchases_are_flagged() -> None:
    summary = summarize_customer_days([0, 2], [3, 4], [1.0, -2.0], n_customers=4)
    np.testing.assert_array_equal(summary.has_purchase, [True, False, False, False])
    assert summary.history("D")[0].shape == (1,)


@settings(max_examples=50, deadline=None)
@given(
    days=st.lists(st.integers(0, 100), min_size=2, max_size=10, unique=True),
    values=st.lists(st.floats(1.0, 500.0), min_size=10, max_size=10),
    refund=st.floats(0.01, 100.0),
)
def test_returns_lower_monetary_value(days, values, refund) -> None:
    days = sorted(days)
    customer = np.zeros(len(days), dtype=np.int64)
    value = np.array(values[: len(days)])
    before = summarize_customer_days(customer, days, value, as_of=200)
    return_day = days[-1] + 1  # a return-only day after the last purchase
    after = summarize_customer_days(
        np.r_[customer, 0],
        np.r_[days, return_day],
        np.r_[value, -refund],
        as_of=200,
        purchase_day=np.r_[np.ones(len(days), bool), False],
    )
    assert after.frequency[0] == before.frequency[0]
    assert after.recency_days[0] == before.recency_days[0]
    assert after.monetary[0] < before.monetary[0] or after.monetary[0] == 0
    assert after.total_value[0] < before.total_value[0]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 5),  # customer
            st.integers(0, 60),  # day
            st.floats(-100.0, 300.0, allow_nan=False),  # net value of the row
            st.booleans(),  # purchase day
        ),
        min_size=1,
        max_size=40,
    )
)
def test_totals_give_the_summary_of_the_days(rows) -> None:
    """Per-customer totals as the store keeps them summarise like the days they come from."""
    customer, day, value, bought = (np.array(col) for col in zip(*rows, strict=True))
    n = int(customer.max()) + 1
    first, last, count = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    total, repeat = np.zeros(n), np.zeros(n)
    for c in range(n):  # the reference: the definitions of customer_summaries' columns
        mine = customer == c
        total[c] = value[mine].sum()
        purchase_days = np.unique(day[mine & bought])
        if purchase_days.size:
            first[c], last[c], count[c] = purchase_days[0], purchase_days[-1], purchase_days.size
            repeat[c] = value[mine & (day > first[c])].sum()
    exact = summarize_customer_days(customer, day, value, purchase_day=bought, n_customers=n)
    fast = summarize_customer_totals(first, last, count, total, repeat, as_of=int(day.max()))
    assert fast.as_of == exact.as_of
    for name in ("has_purchase", "first_day", "last_day", "frequency", "recency_days"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(exact, name), err_msg=name)
    np.testing.assert_array_equal(fast.tenure_days, exact.tenure_days)
    np.testing.assert_allclose(fast.monetary, exact.monetary, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(fast.total_value, exact.total_value, rtol=1e-12, atol=1e-9)
