"""Customer pages as JSON, computed once per (model, customer state, request).

A page is a pure function of the model version, the customer's state as the store returns it
(profile members, country, consent, resets, removed interests, bought lines, editorial picks —
:meth:`kunde.store.recommend.RecommendRepository.serving_rows`), the process's settings and the
request (customer id, k, context, context products). Every request reads that state from the
database; only the computation from it is kept, keyed by a digest of all of it. So an order, a
reset, a removed interest, a consent change, a merge or unmerge, or new editorial picks — made
by any process — change the key and count on the very next request; nothing is invalidated
because nothing stale can be found.
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

__all__ = ["PageCache", "page_json"]


class PageCache:
    """The last ``size`` pages of one process, least recently used dropped first.

    Args:
        size: pages kept (0: none; every request computes its page).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

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
    return page


def dumps(page: dict[str, Any]) -> bytes:
    """JSON as FastAPI writes it (UTF-8, no spaces)."""
    return json.dumps(page, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
