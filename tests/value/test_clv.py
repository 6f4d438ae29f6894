"""Expected customer value with margin and discounting."""

from __future__ import annotations

import numpy as np
import pytest

from kunde.errors import InvalidFieldError
from kunde.value import BGNBD, GammaGamma, expected_value


@pytest.fixture(scope="module")
def models(cdnow):
    return BGNBD().fit(cdnow.x, cdnow.t_x, cdnow.T), GammaGamma().fit(cdnow.x, cdnow.zbar)


def test_undiscounted_value_is_purchases_times_spend_times_margin(cdnow, models) -> None:
    purchases, spend = models
    expected_spend = spend.conditional_expected_spend(cdnow.x, cdnow.zbar)
    value = expected_value(
        purchases, cdnow.x, cdnow.t_x, cdnow.T, expected_spend, horizon=52, unit_days=7, margin=0.3
    )
    direct = purchases.conditional_expected_purchases(52, cdnow.x, cdnow.t_x, cdnow.T)
    np.testing.assert_allclose(value, direct * expected_spend * 0.3, rtol=1e-10)


def test_discounting_lowers_value_and_more_so_at_higher_rates(cdnow, models) -> None:
    purchases, spend = models
    s = spend.conditional_expected_spend(cdnow.x, cdnow.zbar)
    args = (purchases, cdnow.x, cdnow.t_x, cdnow.T, s)
    plain = expected_value(*args, horizon=104, unit_days=7)
    ten = expected_value(*args, horizon=104, unit_days=7, annual_discount_rate=0.1)
    twenty = expected_value(*args, horizon=104, unit_days=7, annual_discount_rate=0.2)
    assert np.all(ten < plain) and np.all(twenty < ten)
    # two years at 10 %: the discount factor lies between 1/1.1**2 and 1
    ratio = ten.sum() / plain.sum()
    assert 1 / 1.1**2 < ratio < 1


def test_zero_horizon_has_no_value(cdnow, models) -> None:
    purchases, _ = models
    value = expected_value(
        purchases, cdnow.x, cdnow.t_x, cdnow.T, np.ones_like(cdnow.x), horizon=0, unit_days=7
    )
    np.testing.assert_array_equal(value, 0.0)


def test_negative_horizon_is_refused(cdnow, models) -> None:
    with pytest.raises(InvalidFieldError, match="horizon"):
        expected_value(models[0], [0], [0], [1], [1], horizon=-1, unit_days=7)


def test_expected_spend_shrinks_towards_the_population_mean(cdnow, models) -> None:
    _, spend = models
    mean = spend.population_mean_spend_
    few = spend.conditional_expected_spend([1], [200.0])[0]
    many = spend.conditional_expected_spend([50], [200.0])[0]
    assert mean < few < many < 200.0
    assert spend.conditional_expected_spend([0], [0.0])[0] == pytest.approx(mean)
