"""Customer value: purchase-history summaries, buy-till-you-die models, spend, CLV, RFM, segments.

Pure numpy/scipy: the engine feeds it per-customer-day rows from the store and persists what it
returns.

- :func:`summarize_customer_days`, :func:`holdout_purchases`: histories as of a day.
- :class:`BGNBD`, :class:`MBGNBD`, :class:`ParetoNBD`: purchase counts and drop-out, with
  ``conditional_probability_alive`` and ``conditional_expected_purchases``.
- :class:`GammaGamma`: spend per purchase.
- :func:`expected_value`: purchases x spend x margin, discounted.
- :func:`rfm_scores`, :func:`assign_segments` (:func:`segment_codes`), :func:`high_value`,
  :func:`segment_totals`.
- :func:`select_by_likelihood`, :func:`select_by_holdout` and the holdout measures
  :func:`holdout_mae`, :func:`aggregate_bias`, :func:`frequency_table`, :func:`p_alive_matrix`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kunde.value._base import PurchaseModel
from kunde.value._clv import DAYS_PER_YEAR, expected_value
from kunde.value._evaluation import (
    FrequencyTable,
    aggregate_bias,
    frequency_table,
    holdout_mae,
    p_alive_matrix,
)
from kunde.value._rfm import RFMScores, rfm_scores
from kunde.value._segments import (
    HIGH_VALUE,
    SEGMENTS,
    SegmentTotals,
    assign_segments,
    high_value,
    segment_codes,
    segment_totals,
)
from kunde.value._selection import ModelChoice, select_by_holdout, select_by_likelihood
from kunde.value._summary import (
    CustomerSummary,
    holdout_purchases,
    summarize_customer_days,
    summarize_customer_totals,
)

if TYPE_CHECKING:
    from kunde.value._bgnbd import BGNBD
    from kunde.value._gamma_gamma import GammaGamma
    from kunde.value._mbgnbd import MBGNBD
    from kunde.value._pareto_nbd import ParetoNBD

_NEEDS_SCIPY = {
    "BGNBD": "kunde.value._bgnbd",
    "GammaGamma": "kunde.value._gamma_gamma",
    "MBGNBD": "kunde.value._mbgnbd",
    "ParetoNBD": "kunde.value._pareto_nbd",
}
"""The models, imported on first use: their modules import scipy.special (~0.2 s), which a fit
can import on a second thread while it reads the histories."""


def __getattr__(name: str) -> Any:
    module = _NEEDS_SCIPY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_NEEDS_SCIPY})


__all__ = [
    "BGNBD",
    "DAYS_PER_YEAR",
    "HIGH_VALUE",
    "MBGNBD",
    "SEGMENTS",
    "CustomerSummary",
    "FrequencyTable",
    "GammaGamma",
    "ModelChoice",
    "ParetoNBD",
    "PurchaseModel",
    "RFMScores",
    "SegmentTotals",
    "aggregate_bias",
    "assign_segments",
    "expected_value",
    "frequency_table",
    "high_value",
    "holdout_mae",
    "holdout_purchases",
    "p_alive_matrix",
    "rfm_scores",
    "segment_codes",
    "segment_totals",
    "select_by_holdout",
    "select_by_likelihood",
    "summarize_customer_days",
    "summarize_customer_totals",
]
