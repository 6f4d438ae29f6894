"""Customer lifetime value: expected purchases x expected spend x margin, discounted."""

from __future__ import annotations

import numpy as np

from kunde.errors import InvalidFieldError
from kunde.value._base import PurchaseModel
from kunde.value._fitting import ArrayLike, FloatArray

__all__ = ["DAYS_PER_YEAR", "expected_value"]

DAYS_PER_YEAR = 365.25


def expected_value(
    model: PurchaseModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803
    expected_spend: ArrayLike,
    *,
    horizon: float,
    unit_days: float,
    margin: float = 1.0,
    annual_discount_rate: float = 0.0,
    period_days: float = DAYS_PER_YEAR / 12,
) -> FloatArray:
    """Expected (discounted) value of each customer's purchases over the next ``horizon``.

    Method (discrete periods): the horizon is cut into periods of ``period_days`` (a month by
    default; the last one may be shorter). The expected purchases in period k are the increase
    of the model's conditional expectation from the start to the end of the period; they are
    valued at ``expected_spend`` x ``margin`` and discounted to today at the period's end,
    ``(1 + annual_discount_rate) ** -(t_k / 365.25 days)``. With a zero rate this is exactly
    expected purchases x spend x margin.

    Args:
        model: a fitted purchase model.
        frequency: repeat purchase days per customer.
        recency: time from first to last purchase day, in the model's unit.
        T: time from first purchase day to now, in the model's unit.
        expected_spend: expected spend per future purchase (e.g. from :class:`GammaGamma`).
        horizon: length of the future to value, in the model's unit.
        unit_days: days per model time unit (1 for daily, 7 for weekly fits).
        margin: share of the spend that is profit (1 = value revenue).
        annual_discount_rate: yearly discount rate, e.g. 0.1 for 10 %.
        period_days: length of a discounting period in days.

    Returns:
        The expected value per customer.
    """
    if not np.isfinite(horizon) or horizon < 0:
        raise InvalidFieldError("horizon", "must be a finite number >= 0")
    if unit_days <= 0 or period_days <= 0:
        raise InvalidFieldError("unit_days", "time units and periods must be positive")
    if annual_discount_rate <= -1:
        raise InvalidFieldError("annual_discount_rate", "must be > -1")
    spend = np.asarray(expected_spend, dtype=np.float64).reshape(-1)
    period = period_days / unit_days
    n_periods = max(int(np.ceil(horizon / period - 1e-9)), 1)
    ends = np.minimum(np.arange(1, n_periods + 1) * period, horizon)
    if annual_discount_rate == 0:
        ends = ends[-1:]  # undiscounted: the sum over periods telescopes to the whole horizon
    previous = np.zeros(spend.shape[0])
    total = np.zeros(spend.shape[0])
    for end in ends:  # a loop over periods, each vectorised over all customers
        cumulative = model.conditional_expected_purchases(float(end), frequency, recency, T)
        years = end * unit_days / DAYS_PER_YEAR
        total += (cumulative - previous) * (1.0 + annual_discount_rate) ** -years
        previous = cumulative
    out: FloatArray = total * spend * margin
    return out
