"""Customer pages as JSON, computed once per (model, customer state, request).

A page is a pure function of the model version, the customer's state as the store returns it
(profile members, country, consent, resets, removed interests, bought lines, editorial picks —
:meth:`kunde.store.recommend.RecommendRepository.serving_rows`), the process's settings and the
request (customer id, k, context, context products). The computation from the state is kept,
keyed by a digest of all of it. So an order, a reset, a removed interest, a consent change, a
merge or unmerge, or new editorial picks — made by any process — change the key and count on
the very next request; nothing is invalidated because nothing stale can be found.

Reading the state is most of a cached request's time. On an SQLite file the store also gives a
commit version (:meth:`kunde.store.Store.commit_version`, from ``PRAGMA data_version``) that
changes with every commit to the database, by any connection of any process. A page answered
under one version is kept with it (:meth:`PageCache.fresh`); while the version and the model
are the same nothing can have changed, and the request is answered without reading the state.
The version is read *before* the state, so a page is never stamped newer than what it was
computed from. PostgreSQL and in-memory SQLite have no version: the state is read every time.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from kunde._engine.recommend_model import RecommendModel
from kunde._engine.recommend_serve import check_context, customer_page
from kunde.config import Settings
from kunde.errors import NotFoundError
from kunde.store import Store
from kunde.store.recommend import StateRows

__all__ = ["PageCache", "Request", "page_json"]

Request = tuple[str, int, str, tuple[str, ...]]
"""``(customer id, k, context, context products as given)``: what a page request asks."""


class PageCache:
    """The last ``size`` pages of one process, least recently used dropped first.

    Args:
        size: pages kept (0: none; every request computes its page).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()
        # request -> (commit version, model version, page): answered without reading the state
        self._fresh: dict[Request, tuple[int, str, bytes]] = {}
        self.hits = 0
        self.misses = 0
        self.fresh_hits = 0

    def fresh(self, request: Request, version: int, model_version: str) -> bytes | None:
        """The page answered for ``request`` under commit ``version`` and the same model."""
        entry = self._fresh.get(request)
        if entry is None or entry[0] != version or entry[1] != model_version:
            return None
        self.hits += 1  # a page from the cache, as from :meth:`get`
        self.fresh_hits += 1
        return entry[2]

    def keep_fresh(self, request: Request, version: int, model_version: str, page: bytes) -> None:
        """Remember ``page`` as the answer to ``request`` under ``version`` (see :meth:`fresh`)."""
        if self.size <= 0:
            return
        with self._lock:
            if len(self._fresh) >= self.size and request not in self._fresh:
                self._fresh.clear()  # the pages stay in the LRU; a request reads its state again
            self._fresh[request] = (version, model_version, page)

    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: bytes, page: bytes) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def _key(
    model: RecommendModel,
    rows: StateRows,
    customer_id: str,
    k: int,
    context: str,
    context_ids: list[str],
) -> bytes:
    request = (model.version, customer_id, k, context, tuple(context_ids), rows)
    return hashlib.blake2b(repr(request).encode(), digest_size=20).digest()


def page_json(
    store: Store,
    settings: Settings,
    model: RecommendModel,
    cache: PageCache,
    customer_id: str,
    *,
    k: int = 10,
    context: str = "home",
    context_products: list[str] | None = None,
) -> bytes:
    """The customer's page as JSON (see :func:`kunde._engine.recommend_serve.customer_page`).

    Raises:
        NotFoundError: unknown customer or context product.
        InvalidFieldError: unknown context, or product context without products.
    """
    request: Request = (customer_id, k, context, tuple(context_products or ()))
    version = store.commit_version()  # before the state: a page is never stamped too new
    if version is not None and (page := cache.fresh(request, version, model.version)):
        return page
    context_ids = check_context(store, context, context_products)
    rows = store.recommend.serving_rows(customer_id)
    if rows is None:
        raise NotFoundError(f"Customer {customer_id!r} not found.")
    key = _key(model, rows, customer_id, k, context, context_ids)
    page = cache.get(key)
    if page is None:
        feed = customer_page(settings, model, rows, customer_id, k, context, context_ids)
        page = dumps(feed)
        cache.put(key, page)
    if version is not None:
        cache.keep_fresh(request, version, model.version, page)
    return page


def dumps(page: dict[str, Any]) -> bytes:
    """JSON as FastAPI writes it (UTF-8, no spaces)."""
    return json.dumps(page, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
