"""Serving recommendations from the current model and the customer's state in the store.

Per request, the customer's consent, resets, removed interests and own lines are read from the
store, so that a reset, a removal, a withdrawn consent or a new editorial pick counts on the
very next request; the model (trained by ``kunde train``) supplies the neighbours, the stored
personal candidates and the popularity lists.

Which personal ranking: the candidates stored at training time, unless the customer changed
their interests since (reset or removal) or has no stored list (new since training) — then
their current profile is scored against the product neighbours on the spot.

Merged customers: a request for any customer id of a merged profile serves the profile (the
identity graph is read per request). Its lines, resets, removed interests and consent are
pooled over the profile's customer ids (consent: the newest entry among them, the person's
latest will, see :meth:`kunde.store.recommend.RecommendRepository.serving_state`), so a
merge, an unmerge, a reset or a withdrawal counts on the next request. The stored candidates
are used only while the profile is made of the same customer ids as at training; after a
merge or unmerge it is scored live from its current lines until the next ``kunde train`` joins
(or separates) the histories in the models.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kunde._engine.recommend_model import RecommendModel
from kunde._engine.recommend_profile import (
    Profile,
    as_of_day,
    live_ranking,
    profile_interests,
    profile_of,
    read_profile,
)
from kunde.config import Settings
from kunde.errors import InvalidFieldError, NotFittedError, NotFoundError
from kunde.recommend import FeedItem, FeedRules, compose_feed, decay_weights
from kunde.store import Store
from kunde.store.recommend import StateRows, parse_state

__all__ = [
    "CONTEXTS",
    "check_context",
    "customer_page",
    "feed_rules",
    "interests",
    "product_list",
    "require_model",
]

CONTEXTS = ("home", "product", "cart")
_NONE = -1


def require_model(model: RecommendModel | None) -> RecommendModel:
    """The model, or a 409 telling how to train one."""
    if model is None:
        raise NotFittedError("the recommendation models are not trained yet: run 'kunde train'")
    return model


def feed_rules(settings: Settings, k: int, editorial_share: float | None) -> FeedRules:
    """The shop's feed rules for a page of ``k`` items."""
    return FeedRules(
        size=k,
        category_cap=max(1, math.ceil(settings.recommend_category_cap * k / 10)),
        explore_slots=min(settings.recommend_explore_slots, k),
        new_release_slots=min(settings.recommend_new_release_slots, k),
        editorial_share=(
            settings.recommend_editorial_share if editorial_share is None else editorial_share
        ),
        interest_half_life_days=settings.recommend_interest_half_life_days,
    )


def _require_product(store: Store, product_id: str) -> None:
    if store.products.get(product_id) is None:
        raise NotFoundError(f"Product {product_id!r} not found.")


def _scores(n: int) -> list[float]:
    """1 for the first item, falling by rank."""
    return [round(1.0 - i / max(n, 1), 4) for i in range(n)]


def product_list(
    store: Store, model: RecommendModel, product_id: str, k: int, which: str
) -> dict[str, Any]:
    """ "Also bought" or complements of one product.

    Raises:
        NotFoundError: the store does not know the product.
    """
    _require_product(store, product_id)
    matrix = model.also_bought if which == "also_bought" else model.complements
    item = model.product(product_id)
    if item >= 0:
        row = matrix[item]
        order = np.argsort(-row.data, kind="stable")[:k]
        items, weights = row.indices[order].astype(np.int64), row.data[order]
    else:  # new since training: no co-purchase evidence yet
        items, weights = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    top = float(weights[0]) if len(weights) else 1.0
    name = str(model.names[item]) if item >= 0 else product_id
    reason = (
        f"customers who bought {name} also bought this"
        if which == "also_bought"
        else f"goes well with {name}"
    )
    return {
        "product_id": product_id,
        "personal": False,
        "model_version": model.version,
        "items": [
            {
                "product_id": str(model.product_ids[i]),
                "name": str(model.names[i]),
                "category": _category(model, int(i)),
                "score": round(float(w) / top, 4) if top > 0 else 0.0,
                "reason": reason,
                "reason_code": which,
                "because_of": product_id,
            }
            for i, w in zip(items.tolist(), weights.tolist(), strict=True)
        ],
    }


def _category(model: RecommendModel, item: int) -> str | None:
    c = int(model.item_category[item])
    return str(model.category_names[c]) if c >= 0 else None


def _rows_of(
    matrix: sp.csr_matrix, rows: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float32]]:
    """The stored entries of some rows of a CSR matrix: (position in ``rows``, column, value).

    Straight from ``indptr``/``indices``/``data``: a request's few rows without building a
    sliced matrix (scipy's fancy indexing costs more than the arithmetic here).
    """
    starts = matrix.indptr[rows]
    lengths = matrix.indptr[rows + 1] - starts
    owner = np.repeat(np.arange(len(rows)), lengths)
    first = np.cumsum(lengths) - lengths
    at = starts[owner] + np.arange(int(lengths.sum())) - first[owner]
    return owner, matrix.indices[at], matrix.data[at]


def _because(
    model: RecommendModel, history: NDArray[np.int64], ranked: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Per ranked product, the history product most similar to it (-1: none).

    Ties go to the first history product (``history`` is sorted); only a positive similarity
    counts.
    """
    if len(history) == 0 or len(ranked) == 0:
        return np.full(len(ranked), _NONE, dtype=np.int64)
    owner, cols, vals = _rows_of(model.similarity, history)
    wanted = np.zeros(len(model.product_ids), dtype=bool)
    wanted[ranked] = True
    keep = wanted[cols] & (vals > 0)
    owner, cols, vals = owner[keep], cols[keep], vals[keep]
    order = np.lexsort((owner, -vals, cols))  # per column: the best value, then history order
    cols, owner = cols[order], owner[order]
    first = np.ones(len(cols), dtype=bool)
    first[1:] = cols[1:] != cols[:-1]
    best = np.full(len(model.product_ids), _NONE, dtype=np.int64)
    best[cols[first]] = history[owner[first]]
    out: NDArray[np.int64] = best[ranked]
    return out


def _context_ranking(
    model: RecommendModel, context: NDArray[np.int64], n: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Products bought with the context products, and which context product each comes from."""
    if len(context) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    rows = model.also_bought[context]
    scores = np.asarray(rows.sum(axis=0)).ravel()
    scores[context] = 0.0
    ranked = np.argsort(-scores, kind="stable")[:n]
    ranked = ranked[scores[ranked] > 0].astype(np.int64)
    sub = np.asarray(rows[:, ranked].toarray())
    return ranked, context[sub.argmax(axis=0)] if len(ranked) else ranked


def _reason(
    model: RecommendModel, item: FeedItem, history: set[int], context: set[int]
) -> tuple[str, str]:
    category = _category(model, item.item) or "our range"
    if item.reason == "bought_with":
        if item.because_of is not None and item.because_of in context:
            return "bought_with", f"often bought with {model.names[item.because_of]}"
        if item.because_of is not None and item.because_of in history:
            return "bought_with", f"because you bought {model.names[item.because_of]}"
        return "bought_with", f"for your interest in {category}"
    return item.reason, {
        "new_in_category": f"new in {category}",
        "editorial": "our pick",
        "popular": "popular this week",
        "explore": f"something different: {category}",
    }[item.reason]


def check_context(store: Store, context: str, context_products: list[str] | None) -> list[str]:
    """The page's context products, once each.

    Raises:
        NotFoundError: a context product the store does not know.
        InvalidFieldError: unknown context, or product context without products.
    """
    if context not in CONTEXTS:
        raise InvalidFieldError("context", f"must be one of {', '.join(CONTEXTS)}")
    context_ids = list(dict.fromkeys(context_products or []))
    if context != "home" and not context_ids:
        raise InvalidFieldError("product_id", f"context={context} needs at least one product_id")
    for pid in context_ids:
        _require_product(store, pid)
    return context_ids


def customer_page(
    settings: Settings,
    model: RecommendModel,
    rows: StateRows,
    customer_id: str,
    k: int,
    context: str,
    context_ids: list[str],
) -> dict[str, Any]:
    """The page from the customer's state rows (:meth:`RecommendRepository.serving_rows`)."""
    state = parse_state(rows)
    if state is None:
        raise NotFoundError(f"Customer {customer_id!r} not found.")
    profile = profile_of(model, state)
    picks = profile.editorial
    rules = feed_rules(settings, k, picks.share)
    n_cand = max(settings.recommend_candidates, 2 * k)
    interest = profile_interests(model, profile, settings.recommend_interest_half_life_days)
    personal_on = profile.consent and bool(interest.sum() > 0)

    ctx = model.products(context_ids)
    ctx = ctx[ctx >= 0]
    ranked, because = _context_ranking(model, ctx, n_cand)
    history = np.unique(profile.item[profile.own]) if personal_on else np.zeros(0, np.int64)
    if personal_on:
        row = model.customer(profile.profile_id)
        if row >= 0 and not profile.changed_since_training:
            mine = model.candidates[row].astype(np.int64)
            mine = mine[mine >= 0]
        else:
            mine = live_ranking(model, profile, n_cand)
        ranked = np.concatenate([ranked, mine])
        because = np.concatenate([because, _because(model, history, mine)])
    feed_interest = interest.copy()
    if len(ctx):  # the page's products stand in for interests (not personal data)
        ctx_cat = model.item_category[ctx]
        ctx_cat = ctx_cat[ctx_cat >= 0]
        feed_interest[ctx_cat] += 1.0 / max(len(ctx_cat), 1)
    consumable = _consumable(model, settings)
    bought = np.concatenate([profile.bought if profile.consent else np.zeros(0, np.int64), ctx])
    editorial = model.products(picks.product_ids)
    fresh = model.new_releases
    if personal_on and len(fresh):
        fresh = _rank_new_releases(model, history, fresh)
    popular = model.popular_for(profile.country)
    if profile.consent and len(profile.removed_index):
        # a removed interest stays off the page (editorial picks are the shop's, not inferred)
        gone = profile.removed_index[profile.removed_index >= 0]
        keep = ~np.isin(model.item_category[ranked], gone)
        ranked, because = ranked[keep], because[keep]
        fresh = fresh[~np.isin(model.item_category[fresh], gone)]
        popular = popular[~np.isin(model.item_category[popular], gone)]
    feed = compose_feed(
        ranked,
        item_category=model.item_category,
        interests=feed_interest,
        bought=bought,
        consumable=consumable,
        editorial=editorial[editorial >= 0],
        new_releases=fresh,
        popular=popular,
        because_of=because,
        rules=rules,
    )
    history_set = set(history.tolist())
    context_set = set(ctx.tolist())
    scores = _scores(len(feed.items))
    items = []
    personal = False
    for item, score in zip(feed.items, scores, strict=True):
        code, text = _reason(model, item, history_set, context_set)
        from_history = code == "bought_with" and item.because_of not in context_set
        personal |= personal_on and (from_history or code in ("new_in_category", "explore"))
        items.append(
            {
                "product_id": str(model.product_ids[item.item]),
                "name": str(model.names[item.item]),
                "category": _category(model, item.item),
                "score": score,
                "reason": text,
                "reason_code": code,
                "because_of": None
                if item.because_of is None or code != "bought_with"
                else str(model.product_ids[item.because_of]),
            }
        )
    return {
        "customer_id": customer_id,
        "profile_id": profile.profile_id,
        "context": context,
        "personal": bool(personal),
        "basis": _basis(profile, personal_on),
        "model_version": model.version,
        "items": items,
    }


def _basis(profile: Profile, personal_on: bool) -> str:
    if not profile.consent:
        return "no_consent"
    return "history" if personal_on else "no_history"


def _consumable(model: RecommendModel, settings: Settings) -> NDArray[np.bool_]:
    from kunde._engine.recommend_train import durable_mask

    return ~durable_mask(model.category_names, settings.recommend_consumable_categories)


def _rank_new_releases(
    model: RecommendModel, history: NDArray[np.int64], fresh: NDArray[np.int64]
) -> NDArray[np.int64]:
    """New releases by text similarity to what the customer bought, most similar first."""
    if len(history) == 0:
        return fresh
    _, word, weight = _rows_of(model.features, history)
    words = np.bincount(word, weights=weight, minlength=model.features.shape[1])
    owner, word, weight = _rows_of(model.features, fresh)
    scores = np.bincount(owner, weights=weight * words[word], minlength=len(fresh))
    return fresh[np.argsort(-scores, kind="stable")]


def interests(
    store: Store, settings: Settings, model: RecommendModel, customer_id: str
) -> dict[str, Any]:
    """The customer's inferred interests, each with the purchases behind it.

    Raises:
        NotFoundError: unknown customer.
    """
    profile = read_profile(store, model, customer_id)
    interest = profile_interests(model, profile, settings.recommend_interest_half_life_days)
    own = profile.own if profile.consent else np.zeros(len(profile.item), dtype=bool)
    w = decay_weights(
        profile.day[own], as_of_day(model, profile), settings.recommend_interest_half_life_days
    )
    per_item = np.bincount(profile.item[own], weights=w, minlength=len(model.product_ids))
    items = np.flatnonzero(per_item > 0)
    cats = model.item_category[items]
    order = np.lexsort((-per_item[items], cats))
    items, cats = items[order], cats[order]
    shown = []
    for c in np.flatnonzero(interest > 0)[np.argsort(-interest[interest > 0], kind="stable")]:
        behind = items[cats == c][:3]
        shown.append(
            {
                "category": str(model.category_names[c]),
                "weight": round(float(interest[c]), 4),
                "because_you_bought": [
                    {"product_id": str(model.product_ids[i]), "name": str(model.names[i])}
                    for i in behind.tolist()
                ],
            }
        )
    return {
        "customer_id": customer_id,
        "profile_id": profile.profile_id,
        "personal": profile.consent,
        "basis": _basis(profile, bool(interest.sum() > 0)),
        "interests": shown,
        "removed": [c for c, _ in profile.removed],
        "reset_at": profile.reset_at.isoformat() if profile.reset_at else None,
        "half_life_days": settings.recommend_interest_half_life_days,
    }
