"""The public names of kunde.value are pinned."""

from __future__ import annotations

import kunde.value


def test_public_names() -> None:
    assert sorted(kunde.value.__all__) == sorted(
        [
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
            "rfm_scores",
            "segment_totals",
            "select_by_holdout",
            "select_by_likelihood",
            "summarize_customer_days",
        ]
    )
    for name in kunde.value.__all__:
        assert getattr(kunde.value, name) is not None
