"""The public names of each package are pinned: one case per package."""

from __future__ import annotations

import importlib

import pytest

PINNED: dict[str, list[str]] = {
    "kunde.value": [
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
        "segment_totals",
        "select_by_holdout",
        "select_by_likelihood",
        "summarize_customer_days",
        "summarize_customer_totals",
    ],
    "kunde.recommend": [
        "EASE",
        "FEATURE_NAMES",
        "Feed",
        "FeedItem",
        "FeedRules",
        "Blend",
        "Complements",
        "CustomerKNN",
        "Interactions",
        "ItemKNN",
        "LearnedRanker",
        "ListMetrics",
        "PersonalRanker",
        "PersonalRankerConfig",
        "Popularity",
        "Scorer",
        "TemporalSplit",
        "bm25_rows",
        "build_interactions",
        "category_interests",
        "compose_feed",
        "decay_weights",
        "evaluate_lists",
        "temporal_split",
        "text_features",
        "top_k_rows",
    ],
    "kunde.orders": [
        "ADJUSTMENT_CODES",
        "EVENT_FIELDS",
        "FEE_CODES",
        "FORMATS",
        "Format",
        "ImportSummary",
        "KINDS",
        "LINE_COLUMNS",
        "LineIn",
        "Lines",
        "ORDER_FIELDS",
        "OrderIn",
        "OrdersResult",
        "PRODUCT_FIELDS",
        "RawBatch",
        "Records",
        "Reject",
        "RejectFile",
        "SourceFile",
        "line_keys",
        "normalise_events",
        "normalise_lines",
        "normalise_products",
        "parse_mapping",
        "product_kinds",
        "resolve_columns",
    ],
    "kunde.privacy": [
        "Actor",
        "AuditAction",
        "AuditEntry",
        "CARD_NUMBER_MESSAGE",
        "CARD_SEPARATORS",
        "ConsentChange",
        "ConsentEntry",
        "ConsentState",
        "KEY",
        "PURPOSE_DESCRIPTIONS",
        "PaymentMethod",
        "PaymentMethodIn",
        "Purpose",
        "card_number_locations",
        "consent_mask",
        "current_consents",
        "looks_like_card_number",
        "luhn_valid",
        "refuse_card_numbers",
        "CUSTOMER_ROLE",
        "CustomerToken",
        "DATA_INVENTORY",
        "DataCategory",
        "PSEUDONYM_PREFIX",
        "ScrubReport",
        "TOKEN_PREFIX",
        "data_inventory",
        "erased_mask",
        "issue_customer_token",
        "mentions",
        "new_pseudonym",
        "redact",
        "retained_until",
        "retention_cutoff",
        "scrub_directory",
        "scrub_file",
        "subject_digest",
        "verify_customer_token",
    ],
    "kunde.identity": [
        "MAX_IDENTIFIERS",
        "MERGING_KINDS",
        "Address",
        "Channel",
        "ChannelPreference",
        "CustomerProfile",
        "EventIn",
        "Identifier",
        "IdentifierIn",
        "IdentifierKind",
        "IdentifyIn",
        "IdentifyPlan",
        "Merge",
        "Phase",
        "PhaseWindows",
        "Refusal",
        "Resolution",
        "TimelineCursor",
        "normalise_identifier",
        "plan_identify",
        "purchase_phases",
    ],
    "kunde.api": ["create_app"],
}


@pytest.mark.parametrize("package", sorted(PINNED))
def test_public_names_are_pinned(package: str) -> None:
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(PINNED[package])
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def test_api_exports_only_the_factory_in_order() -> None:
    import kunde.api

    assert kunde.api.__all__ == ["create_app"]


def test_engine_exports_the_access_types() -> None:
    import kunde.engine

    assert {"Engine", "Permission", "Principal"} <= set(kunde.engine.__all__)
