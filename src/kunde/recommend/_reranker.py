"""Two-stage personal ranking: blended candidates re-ranked by a learned logistic model."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from threadpoolctl import threadpool_limits

from kunde.errors import ConvergenceError, InvalidFieldError, NotFittedError
from kunde.recommend._coverage import PENALTY_GRID, smallest_penalty
from kunde.recommend._ease_feature import RecentEASE
from kunde.recommend._interactions import Interactions
from kunde.recommend._logistic import newton_logistic
from kunde.recommend._personal import PersonalRanker, PersonalRankerConfig
from kunde.recommend._rerank_features import FEATURE_NAMES, RankContext, candidate_features, context
from kunde.recommend._rerank_pairs import holdout_truth, training_pairs
from kunde.recommend._topk import BLOCK_ROWS, top_k_dense

__all__ = ["FEATURE_NAMES", "LearnedRanker"]


class LearnedRanker:
    """Candidates from :class:`PersonalRanker`, re-ranked by logistic regression.

    A linear blend treats every product alike; whether a customer buys a product *new to
    them* also depends on how new the product is, whether its sales are rising, and how
    much the customer buys at all. The re-ranker learns that from the shop's own recent past,
    as in two-stage recommenders (Covington et al., "Deep Neural Networks for YouTube
    Recommendations", RecSys 2016), with a plain L2-regularised logistic regression:

    1. hold out the last ``label_days`` of the training lines; fit the base ranker on the
       lines before them;
    2. for every customer with a history who bought something new in the hold-out, take the
       ``candidates`` best products they had not bought, describe each pair by the features
       in ``FEATURE_NAMES``, and label it with whether the customer bought it;
    3. fit the logistic regression, then refit the base ranker on all lines.

    Assumes the hold-out window is like the period the model serves (weekly retraining keeps
    it so), and that the shop has enough customers with new purchases in it (at least one
    positive and one negative pair; otherwise ``fit`` raises ``ConvergenceError``).

    Args:
        config: settings of the base ranker.
        candidates: products re-ranked per customer.
        label_days: length of the hold-out window the re-ranker learns from.
        l2: L2 penalty of the logistic regression (on standardised features).
        popularity_penalty: subtracted from the learned logit per unit of log(1 + recent
            buyers) (buyers counted with a 30-day half-life, ``PENALTY_HALF_LIFE_DAYS``);
            spreads the lists over more of the catalog at a small cost in accuracy. The
            re-ranker favours what sells *now* (its 14-day popularity and momentum weights
            are positive), so recent buyers, not all-time buyers, are what concentrates the
            lists. :meth:`calibrate_penalty` sets it to reach a catalog coverage.
        truth_weight_power: each hold-out customer's pairs weigh ``|new purchases|^−power``;
            1 matches recall, which averages hits / |truth| over customers, so that customers
            with one new purchase count as much as resellers with fifty.
        negative_share: share of the unbought candidates the regression sees (a seeded
            random sample, weighted up by ``1 / negative_share``); the bought ones are all
            kept. Negatives outnumber positives some thirty to one, so 0.25 makes the fit about
            four times cheaper at the same validation accuracy on Online Retail - but it moved
            the validation choice of ``truth_weight_power`` on one split to a worse test
            result, so the default stays 1 (every candidate).
        max_customers: at most this many hold-out customers (a seeded random sample) make
            the training pairs; ``None`` takes them all.
        ease_l2: λ of the EASE model (Steck 2019) over the products sold in the last 180
            days whose score is a feature (``0`` switches it off: the feature is zero).
        ease_weight: weight of the EASE scores (scaled per customer) added to the base blend
            when choosing the candidates; EASE finds products the co-purchase neighbours miss.
        seed: seed of those samples.
    """

    def __init__(
        self,
        config: PersonalRankerConfig | None = None,
        *,
        candidates: int = 200,
        label_days: int = 30,
        l2: float = 1.0,
        popularity_penalty: float = 0.0,
        truth_weight_power: float = 1.0,
        negative_share: float = 1.0,
        max_customers: int | None = None,
        ease_l2: float = 200.0,
        ease_weight: float = 1.0,
        seed: int = 0,
    ) -> None:
        if candidates < 1:
            raise InvalidFieldError("candidates", "must be at least 1")
        if not 0.0 < negative_share <= 1.0:
            raise InvalidFieldError("negative_share", "must lie in (0, 1]")
        if max_customers is not None and max_customers < 1:
            raise InvalidFieldError("max_customers", "must be at least 1 (or None for all)")
        if label_days < 1:
            raise InvalidFieldError("label_days", "must be at least 1 day")
        if ease_l2 < 0 or ease_weight < 0:
            raise InvalidFieldError("ease_l2", "ease_l2 and ease_weight must not be negative")
        self.config = config or PersonalRankerConfig()
        self.candidates = candidates
        self.label_days = label_days
        self.l2 = l2
        self.popularity_penalty = popularity_penalty
        self.truth_weight_power = truth_weight_power
        self.negative_share = negative_share
        self.max_customers = max_customers
        self.ease_l2 = ease_l2
        self.ease_weight = ease_weight
        self.seed = seed
        self.fit_seconds_: dict[str, float] = {}
        """Seconds each stage of the last ``fit`` took."""

    # --- fitting ---------------------------------------------------------------------------

    def _labelled(
        self,
        interactions: Interactions,
        item_features: sp.csr_matrix | None,
        text_similarity: sp.csr_matrix | None,
        pool: Executor | None = None,
        inner: Interactions | None = None,
        ease: RecentEASE | None = None,
    ) -> tuple[NDArray[np.float32], NDArray[np.bool_], NDArray[np.float64]]:
        """Training pairs of the hold-out.

        ``inner`` holds the lines before the hold-out and ``ease`` was fitted on them (one
        :class:`Interactions` for both, so its line pairs are sorted once); without ``inner``
        both are made here.
        """
        if inner is None:
            inner = self._before_holdout(interactions)
            ease = self._ease(inner)
        before, truth = holdout_truth(interactions, inner)
        users = np.flatnonzero((np.diff(before.indptr) > 0) & (np.diff(truth.indptr) > 0))
        if len(users) == 0:
            raise ConvergenceError(
                "no customer bought something new in the last "
                f"{self.label_days} days of the training data; use a longer label_days "
                "or the PersonalRanker without re-ranking"
            )
        rng = np.random.default_rng(self.seed)
        if self.max_customers is not None and len(users) > self.max_customers:
            users = np.sort(rng.choice(users, self.max_customers, replace=False))
        lap = time.perf_counter()
        base = PersonalRanker(self.config).fit(
            inner, item_features, text_similarity=text_similarity
        )
        ctx = context(inner, item_features, ease)
        self.fit_seconds_["hold-out base models"] = time.perf_counter() - lap
        return training_pairs(
            pool,
            base,
            ctx,
            users,
            before,
            truth,
            self.candidates,
            self.ease_weight,
            self.truth_weight_power,
            self.negative_share,
            rng,
        )

    def fit(
        self, interactions: Interactions, item_features: sp.csr_matrix | None = None
    ) -> LearnedRanker:
        """Learn the re-ranker on the last ``label_days``, then fit on all lines; returns self.

        ``fit_seconds_`` records how long each stage took.
        """
        self.fit_seconds_ = {}
        lap = time.perf_counter()
        text_similarity = None
        if item_features is not None and self.config.content_weight > 0:
            text_similarity = PersonalRanker(self.config).item_knn().text_similarity(item_features)
        self.fit_seconds_["text neighbours"] = time.perf_counter() - lap
        lap = time.perf_counter()
        inner = self._before_holdout(interactions)
        # the hold-out's and all lines' EASE side by side, each on one BLAS thread (the limit
        # is process-wide: set here once, so neither fit's own limit can lift it for the other)
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(1) as side:
            later = side.submit(self._ease, inner)
            full_ease = self._ease(interactions)
            inner_ease = later.result()
        self.fit_seconds_["EASE"] = time.perf_counter() - lap
        # a second thread (numpy and scipy release the GIL in their loops) fits the base
        # models on all lines while this one learns the re-ranker on the hold-out, and
        # computes half of the training pairs; each result is the one a single thread makes
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="kunde-rerank") as pool:
            full = pool.submit(
                self._fit_base, interactions, item_features, text_similarity, full_ease
            )
            lap = time.perf_counter()
            x, y, sample_w = self._labelled(
                interactions, item_features, text_similarity, pool, inner, inner_ease
            )
            self.fit_seconds_["training pairs"] = (
                time.perf_counter() - lap - self.fit_seconds_["hold-out base models"]
            )
            lap = time.perf_counter()
            if y.all() or not y.any():
                raise ConvergenceError(
                    "the hold-out gives only one class of labels; use a longer label_days"
                )
            mean = x.mean(axis=0)
            spread = x.std(axis=0)
            std = np.where(spread > 0, spread, 1.0)
            z = np.hstack([(x - mean) / std, np.ones((len(x), 1), dtype=np.float32)])
            weights = newton_logistic(z.astype(np.float64), y.astype(np.float64), sample_w, self.l2)
            self.fit_seconds_["logistic regression"] = time.perf_counter() - lap
            base, ctx, seconds = full.result()
        self.mean_: NDArray[np.float32] = mean.astype(np.float32)
        self.std_: NDArray[np.float32] = std.astype(np.float32)
        self.coef_: NDArray[np.float32] = weights[:-1].astype(np.float32)
        self.intercept_: float = float(weights[-1])
        self.base_: PersonalRanker = base
        self.context_: RankContext = ctx
        self.fit_seconds_["base models"] = seconds
        return self

    def _fit_base(
        self,
        interactions: Interactions,
        item_features: sp.csr_matrix | None,
        text_similarity: sp.csr_matrix | None,
        ease: RecentEASE | None,
    ) -> tuple[PersonalRanker, RankContext, float]:
        """The base models and context on all lines, and the seconds they took."""
        lap = time.perf_counter()
        base = PersonalRanker(self.config).fit(
            interactions, item_features, text_similarity=text_similarity
        )
        ctx = context(interactions, item_features, ease)
        return base, ctx, time.perf_counter() - lap

    def _before_holdout(self, interactions: Interactions) -> Interactions:
        """The lines before the last ``label_days`` (the re-ranker's hold-out)."""
        return interactions.restrict(interactions.as_of_day + 1 - self.label_days)

    def _ease(self, interactions: Interactions) -> RecentEASE | None:
        """:class:`RecentEASE` of ``interactions`` (``None`` when ``ease_l2`` is 0).

        Its dense Cholesky inverse runs on one BLAS thread, before the two training threads
        start: the same weights every run, and no BLAS threads competing with each other.
        """
        if self.ease_l2 <= 0:
            return None
        with threadpool_limits(limits=1, user_api="blas"):
            return RecentEASE(self.ease_l2).fit(interactions)

    # --- serving ---------------------------------------------------------------------------

    def _check(self) -> None:
        if not hasattr(self, "base_"):
            raise NotFittedError("LearnedRanker is not fitted; call fit(interactions) first")

    def _scored(
        self, users: NDArray[np.int64], exclude: sp.csr_matrix | None
    ) -> Iterator[tuple[NDArray[np.int64], NDArray[np.float32], NDArray[np.float32]]]:
        """Per block of ``users``: candidates, learned logits and the penalty's basis."""
        self._check()
        users = np.asarray(users, dtype=np.int64)
        for start in range(0, len(users), BLOCK_ROWS):
            block = users[start : start + BLOCK_ROWS]
            cand, feats = candidate_features(
                self.base_, self.context_, block, exclude, self.candidates, self.ease_weight
            )
            logit = ((feats - self.mean_) / self.std_) @ self.coef_ + self.intercept_
            yield (
                cand,
                logit.astype(np.float32),
                self.context_.log_recent_buyers[np.maximum(cand, 0)],
            )

    def recommend(
        self, users: NDArray[np.int64], k: int, *, exclude: sp.csr_matrix | None = None
    ) -> NDArray[np.int64]:
        """Top ``k`` product indices per customer (-1 padded), skipping ``exclude``'s entries."""
        out: list[NDArray[np.int64]] = []
        for cand, logit, basis in self._scored(users, exclude):
            if self.popularity_penalty:
                logit = logit - np.float32(self.popularity_penalty) * basis
            masked: NDArray[np.float32] = np.where(cand >= 0, logit, -np.inf).astype(np.float32)
            pos, _ = top_k_dense(masked, k)
            picked = np.take_along_axis(cand, np.maximum(pos, 0), axis=1)
            out.append(np.where(pos >= 0, picked, -1))
        if not out:
            return np.empty((0, k), dtype=np.int64)
        return np.vstack(out)

    def calibrate_penalty(
        self,
        users: NDArray[np.int64],
        k: int,
        target: float,
        *,
        exclude: sp.csr_matrix | None = None,
        grid: ArrayLike = PENALTY_GRID,
    ) -> float:
        """Set ``popularity_penalty`` to the smallest of ``grid`` whose lists reach ``target``.

        ``target`` is a catalog share: the top ``k`` lists of ``users`` (e.g. the customers
        who bought in the last 30 days) together must cover at least that share of the
        products; when no penalty of ``grid`` gets there, the one that covers most is set.
        Coverage needs no later purchases, so this runs on the customers about to be
        served. Returns the coverage reached.
        """
        blocks = list(self._scored(users, exclude))
        n_items = len(self.context_.log_recent_buyers)
        self.popularity_penalty, coverage = smallest_penalty(blocks, k, n_items, target, grid)
        return coverage
