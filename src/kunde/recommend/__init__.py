"""Recommendations: interactions, also-bought, complements, personal feed, evaluation.

Pure numpy/scipy: everything here works on integer indices of customers, baskets and products;
the store and the engine map ids to indices.
"""

from __future__ import annotations

from kunde.recommend._blend import Blend, Scorer
from kunde.recommend._complements import Complements
from kunde.recommend._content import text_features
from kunde.recommend._customerknn import CustomerKNN
from kunde.recommend._ease import EASE
from kunde.recommend._evaluation import ListMetrics, TemporalSplit, evaluate_lists, temporal_split
from kunde.recommend._feed import Feed, FeedItem, FeedRules, category_interests, compose_feed
from kunde.recommend._interactions import Interactions, build_interactions, decay_weights
from kunde.recommend._itemknn import ItemKNN, bm25_rows
from kunde.recommend._personal import PersonalRanker, PersonalRankerConfig
from kunde.recommend._popularity import Popularity
from kunde.recommend._reranker import FEATURE_NAMES, LearnedRanker
from kunde.recommend._topk import top_k_rows

__all__ = [
    "EASE",
    "FEATURE_NAMES",
    "Blend",
    "Complements",
    "CustomerKNN",
    "Feed",
    "FeedItem",
    "FeedRules",
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
