"""A pure ASGI short cut for a customer's page the process already answered and that is current.

A shop asks ``GET /v1/customers/{customer_id}/recommendations`` on every page view, mostly for
the same customers again. FastAPI's route (dependency resolution, parameter validation, the
key check) costs several times what the cached page does. :class:`PageFastPath` sits innermost
among the app's middleware (inside the metrics and the body limit) and answers a request only
when *all* of this holds:

* ``GET`` of exactly that path, a customer id of 1 to 64 characters without NUL;
* the query has only well-formed ``k`` (1..100, plain digits, at most once), ``context``
  (``home``, ``product`` or ``cart``, at most once) and ``product_id`` (1 to 64 characters, at
  most 50) — the route's own defaults (k 10, home) for what is missing;
* ``Authorization: Bearer <key>`` with a key the engine's key cache holds (authenticated in the
  last seconds, as the route's own check trusts it) whose role may read recommendations and is
  not audited for it (``integration``; people's reads, admin and staff, are audited by the
  route, so they take the route);
* the engine has the page it answered for this very request, with nothing committed to the
  database since and the same model (:meth:`kunde.engine.Engine.fresh_recommendations_json`).

The body and headers are then the ones the route wrote (byte for byte: the bytes are the
route's own). Everything else — no key, an unknown key, a bad parameter, a page not answered
yet or no longer current, any other path — goes on to the route unchanged, so errors,
validation, auditing and OpenAPI stay the route's. The request carries the route in its scope
(as routing sets it), so ``/metrics`` counts it under the route's template; uvicorn's access
line is written either way.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from kunde.engine import Engine, Permission

__all__ = ["PAGE_ROUTE", "PageFastPath"]

PAGE_ROUTE = "/v1/customers/{customer_id}/recommendations"
"""The route template the short cut answers for."""

_PREFIX = "/v1/customers/"
_SUFFIX = "/recommendations"
_CONTEXTS = frozenset({"home", "product", "cart"})
_K = re.compile(r"[1-9][0-9]{0,2}")
_MAX_PRODUCTS = 50
_HEADERS_TYPE = (b"content-type", b"application/json")


class PageFastPath:
    """Answer current cached pages before FastAPI routes the request (see the module).

    Args:
        app: the wrapped application (the app's exception middleware and router).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._route: Any = None
        self.answered = 0
        """Requests answered here (the rest went on to the route)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            page = self._page(scope)
            if page is not None:
                scope["route"] = self._route  # what routing would have set (metrics read it)
                self.answered += 1
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [(b"content-length", str(len(page)).encode()), _HEADERS_TYPE],
                    }
                )
                await send({"type": "http.response.body", "body": page})
                return
        await self.app(scope, receive, send)
        if self._route is None:
            # the route object routing put in the scope (a page is only ever cached after the
            # route answered it, so it is known before the first short cut)
            route = scope.get("route")
            if getattr(route, "path", None) == PAGE_ROUTE:
                self._route = route

    def _page(self, scope: Scope) -> bytes | None:
        path: str = scope["path"]
        if not path.startswith(_PREFIX) or not path.endswith(_SUFFIX) or scope.get("root_path"):
            return None
        customer_id = path[len(_PREFIX) : -len(_SUFFIX)]
        if not 0 < len(customer_id) <= 64 or "/" in customer_id or "\x00" in customer_id:
            return None
        query = _query(scope["query_string"])
        if query is None:
            return None
        app = scope.get("app")
        engine: Engine | None = getattr(getattr(app, "state", None), "engine", None)
        if engine is None or not _may_read_unaudited(engine, scope["headers"]):
            return None
        if self._route is None:
            return None
        k, context, product_ids = query
        return engine.fresh_recommendations_json(customer_id, k, context, product_ids)


def _query(raw: bytes) -> tuple[int, str, list[str]] | None:
    """``(k, context, product ids)`` of a well-formed query; ``None``: leave it to the route."""
    k: int | None = None
    context: str | None = None
    product_ids: list[str] = []
    # as Starlette parses a query string
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name == "k":
            if k is not None or not _K.fullmatch(value) or int(value) > 100:
                return None
            k = int(value)
        elif name == "context":
            if context is not None or value not in _CONTEXTS:
                return None
            context = value
        elif name == "product_id":
            if not 0 < len(value) <= 64 or len(product_ids) == _MAX_PRODUCTS:
                return None
            product_ids.append(value)
        else:
            return None
    return (10 if k is None else k), (context or "home"), product_ids


def _may_read_unaudited(engine: Engine, headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether the request's key is cached and may read recommendations without an audit."""
    authorization = next((v for n, v in headers if n == b"authorization"), None)
    if authorization is None:
        return False
    # as FastAPI's HTTPBearer reads the header
    scheme, _, credentials = authorization.decode("latin-1").partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials:
        return False
    principal = engine.cached_principal(credentials)
    return (
        principal is not None
        and principal.can(Permission.READ_RECOMMENDATIONS)
        and not principal.can(Permission.READ_PERSONAL_DATA)
    )
