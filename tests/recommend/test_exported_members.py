"""The public names of kunde.recommend are deliberate."""

from __future__ import annotations

import kunde.recommend


def test_public_names_are_pinned() -> None:
    assert sorted(kunde.recommend.__all__) == sorted(
        [
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
        ]
    )


def test_every_public_name_exists() -> None:
    for name in kunde.recommend.__all__:
        assert hasattr(kunde.recommend, name), name
