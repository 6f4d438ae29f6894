"""The :class:`Engine`'s recommendation methods (a mixin, to keep ``engine.py`` small)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kunde.config import Settings
from kunde.errors import InvalidFieldError, NotFoundError
from kunde.privacy import Actor
from kunde.store import Store

if TYPE_CHECKING:  # numpy/scipy models: loaded on the first recommendation, not at start-up
    from kunde._engine.recommend_model import ModelCache, RecommendModel
    from kunde._engine.recommend_pages import PageCache

__all__ = ["RecommendFacade"]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class RecommendFacade:
    """Training, serving, personalization choices, export and evaluation of recommendations."""

    store: Store
    settings: Settings

    def _recommend_cache(self) -> ModelCache:
        cache = self.__dict__.get("_recommend_models")
        if cache is None:
            from kunde._engine.recommend_model import ModelCache

            cache = ModelCache(self.settings.data_dir, self.settings.recommend_reload_seconds)
            self.__dict__["_recommend_models"] = cache
        return cache

    def recommend_model(self) -> RecommendModel:
        """The current trained model (reloaded when ``kunde train`` swapped in a new one).

        Raises:
            NotFittedError: never trained.
        """
        from kunde._engine.recommend_serve import require_model

        return require_model(self._recommend_cache().get())

    # --- training ---------------------------------------------------------------------------

    def train_recommend(self) -> dict[str, Any]:
        """Fit the recommendation models on the stored lines and swap in a new version.

        Returns:
            The new version's manifest (counts, personal ranking, timings).

        Raises:
            InputError: no bought product lines stored.
        """
        from kunde._engine.recommend_train import train

        manifest = train(self.store, self.settings)
        self._recommend_cache().invalidate()
        return manifest

    # --- serving ----------------------------------------------------------------------------

    def also_bought(self, product_id: str, k: int = 10) -> dict[str, Any]:
        """Products customers bought together with ``product_id`` (anonymous orders too).

        Raises:
            NotFoundError: unknown product. NotFittedError: never trained.
        """
        from kunde._engine.recommend_serve import product_list

        _check_k(k)
        return product_list(self.store, self.recommend_model(), product_id, k, "also_bought")

    def complements(self, product_id: str, k: int = 10) -> dict[str, Any]:
        """Products of other categories that go with ``product_id`` (cross-category lift).

        Raises:
            NotFoundError: unknown product. NotFittedError: never trained.
        """
        from kunde._engine.recommend_serve import product_list

        _check_k(k)
        return product_list(self.store, self.recommend_model(), product_id, k, "complements")

    def recommendations(
        self,
        customer_id: str,
        k: int = 10,
        context: str = "home",
        product_ids: Sequence[str] = (),
    ) -> dict[str, Any]:
        """A customer's page: personal only with their ``personalization`` consent.

        Raises:
            NotFoundError: unknown customer or context product.
            InvalidFieldError: bad k or context.
            NotFittedError: never trained.
        """
        page: dict[str, Any] = json.loads(
            self.recommendations_json(customer_id, k, context, product_ids)
        )
        return page

    def recommendations_json(
        self,
        customer_id: str,
        k: int = 10,
        context: str = "home",
        product_ids: Sequence[str] = (),
    ) -> bytes:
        """:meth:`recommendations` as JSON, from the process's page cache when it has it.

        The customer's state is read from the store on every call; a page is reused only for
        the same model version, the same state and the same request (see
        :mod:`kunde._engine.recommend_pages`).

        Raises:
            NotFoundError: unknown customer or context product.
            InvalidFieldError: bad k or context.
            NotFittedError: never trained.
        """
        from kunde._engine.recommend_pages import page_json

        _check_k(k)
        return page_json(
            self.store,
            self.settings,
            self.recommend_model(),
            self.recommend_pages(),
            customer_id,
            k=k,
            context=context,
            context_products=list(product_ids),
        )

    def fresh_recommendations_json(
        self, customer_id: str, k: int, context: str, product_ids: Sequence[str]
    ) -> bytes | None:
        """The page :meth:`recommendations_json` gave for this very request, if still current.

        Only when nothing was committed to the database since (an SQLite file's commit
        version, see :mod:`kunde._engine.recommend_pages`) and the model in memory is the same
        and still current (its pointer file unchanged); ``None`` otherwise (ask
        :meth:`recommendations_json`). No model load, no state read: one ``PRAGMA`` on the
        store's watching connection (and one ``stat`` of the model pointer when it is due).
        """
        models: ModelCache | None = self.__dict__.get("_recommend_models")
        pages: PageCache | None = self.__dict__.get("_recommend_pages")
        if models is None or pages is None or models.current is None:
            return None
        if models.due() and not models.confirm():  # a new model to load: the route does it
            return None
        version = self.store.commit_version()
        if version is None:
            return None
        request = (customer_id, k, context, tuple(product_ids))
        return pages.fresh(request, version, models.current.version)

    def recommend_pages(self) -> PageCache:
        """The process's cache of computed customer pages."""
        pages = self.__dict__.get("_recommend_pages")
        if pages is None:
            from kunde._engine.recommend_pages import PageCache

            pages = PageCache(self.settings.recommend_page_cache)
            self.__dict__["_recommend_pages"] = pages
        return pages

    def recommendations_inline(self) -> bool:
        """Whether :meth:`recommendations_json` may run in an event loop right now.

        True on SQLite (a short local read) with the model in memory and its pointer file
        unchanged (checked here when due: one ``stat``); otherwise a caller in an event loop
        hands the request to a thread.
        """
        cache: ModelCache | None = self.__dict__.get("_recommend_models")
        return (
            self.store.is_sqlite
            and cache is not None
            and (not cache.due() or cache.confirm())  # one stat of the pointer file
        )

    # --- the customer's control -------------------------------------------------------------

    def interests(self, customer_id: str) -> dict[str, Any]:
        """The interests inferred from the customer's purchases, with the purchases behind each.

        Raises:
            NotFoundError: unknown customer. NotFittedError: never trained.
        """
        from kunde._engine.recommend_serve import interests

        return interests(self.store, self.settings, self.recommend_model(), customer_id)

    def remove_interest(self, actor: Actor, customer_id: str, category: str) -> None:
        """Stop ``category`` from shaping the customer's feed (effective on the next request).

        Recorded for the customer's profile (the survivor when customers were merged).

        Raises:
            NotFoundError: unknown customer, or a category the shop does not have.
        """
        from kunde._engine.privacy import audit_entry as _audit
        from kunde.privacy import AuditAction

        customer_id = self._require_profile(customer_id)
        model = self.recommend_model()
        if model.category_index([category])[0] < 0:
            raise NotFoundError(f"There is no category {category!r}.")
        at = _now()
        with self.store.db.begin() as conn:
            if self.store.recommend.remove_interest(customer_id, category, at, conn=conn):
                entry = _audit(
                    actor, AuditAction.INTEREST_REMOVE, customer_id, at, category=category
                )
                self.store.audit.append([entry], conn=conn)

    def reset_personalization(self, actor: Actor, customer_id: str) -> None:
        """Forget every inferred interest: only purchases from now on shape the feed.

        Recorded for the customer's profile (the survivor when customers were merged).

        Raises:
            NotFoundError: unknown customer.
        """
        from kunde._engine.privacy import audit_entry as _audit
        from kunde.privacy import AuditAction

        customer_id = self._require_profile(customer_id)
        at = _now()
        with self.store.db.begin() as conn:
            self.store.recommend.reset(customer_id, at, conn=conn)
            entry = _audit(actor, AuditAction.PERSONALIZATION_RESET, customer_id, at)
            self.store.audit.append([entry], conn=conn)

    def _require_profile(self, customer_id: str) -> str:
        """The profile id of a known customer (themselves unless merged)."""
        if self.store.recommend.country(customer_id) is None:
            raise NotFoundError(f"Customer {customer_id!r} not found.")
        return self.store.identity.resolution_of([customer_id]).profile_of(customer_id)

    # --- editorial --------------------------------------------------------------------------

    def editorial(self) -> dict[str, Any]:
        """The editorial picks and the share of feed slots they fill."""
        picks = self.store.recommend.editorial()
        share = self.settings.recommend_editorial_share if picks.share is None else picks.share
        return {
            "product_ids": picks.product_ids,
            "share": share,
            "updated_at": picks.updated_at.isoformat() if picks.updated_at else None,
        }

    def put_editorial(
        self, product_ids: Sequence[str], share: float | None = None
    ) -> dict[str, Any]:
        """Replace the editorial picks (effective on the next request).

        Raises:
            InvalidFieldError: share outside [0, 1].
            NotFoundError: a product the catalog does not have.
        """
        if share is not None and not 0.0 <= share <= 1.0:
            raise InvalidFieldError("share", "must lie in [0, 1]")
        ids = list(dict.fromkeys(product_ids))
        for pid in ids:  # a short hand-made list
            if self.store.products.get(pid) is None:
                raise NotFoundError(f"Product {pid!r} not found.")
        self.store.recommend.put_editorial(ids, share, _now())
        return self.editorial()

    # --- batch ------------------------------------------------------------------------------

    def recommend_export(
        self,
        output: Path,
        k: int = 10,
        customers: Sequence[str] | None = None,
        *,
        exclude_purchased: bool = False,
    ) -> int:
        """Write ``customer_id,rank,product_id,score,reason`` for many customers; return rows.

        Raises:
            NotFittedError: never trained. InvalidFieldError: bad k.
        """
        from kunde._engine.recommend_export import export

        _check_k(k)
        return export(
            self.store,
            self.settings,
            self.recommend_model(),
            output,
            k=k,
            customers=customers,
            exclude_purchased=exclude_purchased,
        )

    def evaluate_recommend(
        self, test_from: date, k: int = 10, *, window_days: int | None = None
    ) -> dict[str, Any]:
        """Offline evaluation on a temporal split of the stored lines, baselines beside kunde.

        Raises:
            InputError: no lines before or after ``test_from``.
        """
        from kunde._engine.recommend_eval import evaluate

        _check_k(k)
        return evaluate(self.store, self.settings, test_from, k, window_days=window_days)


def _check_k(k: int) -> None:
    if not 1 <= k <= 100:
        raise InvalidFieldError("k", "must lie in [1, 100]")
