"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

import kunde
from kunde.api.body import BODY_SCHEMAS
from kunde.api.errors import install_error_handlers
from kunde.api.logs import install_log_redaction
from kunde.api.metrics import ApiMetrics
from kunde.api.middleware import BodyLimitMiddleware, MetricsMiddleware
from kunde.api.page_fast_path import PageFastPath
from kunde.api.routers import ROUTERS
from kunde.config import get_settings
from kunde.engine import Engine

__all__ = ["create_app"]

_DESCRIPTION = """\
kunde's HTTP API. Every `/v1` call needs `Authorization: Bearer <key>`; create keys with
`kunde keys create --role admin|staff|integration|analyst`. The `/v1/me` endpoints take a
customer token instead (`POST /v1/customers/{customer_id}/token`), with which a customer reads
and changes only their own data; a customer token never works for any other endpoint.

| role | may |
| --- | --- |
| admin | everything, including erasing a customer |
| staff | personal data: read (audited), change, export; consent; customer tokens; catalog |
| integration | post orders, events, products and consent; read the catalog; no personal data |
| analyst | read the catalog and aggregates; no personal data, no writes |

Reads of personal data and every change to it are recorded in the audit trail (`GET /v1/audit`)
with the optional headers `X-Request-ID` and `X-Audit-Reason` (why, e.g. a ticket number).

Errors: 401 no or invalid key, 403 role not allowed, 404 unknown id, 409 conflict,
413 body over the size limit, 422 invalid input (`{"detail": [{"loc", "msg", "type"}]}`).
"""


def create_app(engine: Engine | None = None) -> FastAPI:
    """Build the API.

    Args:
        engine: the engine to serve. When ``None`` (as under ``kunde serve``), one is created
            from the environment's settings when the app starts and closed when it stops.
            A passed engine is left open: its owner closes it.
    """
    settings = engine.settings if engine is not None else get_settings()
    install_log_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if engine is not None:
            yield
            return
        own = Engine(settings)
        app.state.engine = own
        # start-up's objects (modules, routes, schemas) leave the collector's generations, so
        # a full collection while serving walks only what requests allocate (shorter pauses)
        gc.freeze()
        try:
            yield
        finally:
            own.close()

    app = FastAPI(
        title="kunde",
        version=kunde.__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
    )
    if engine is not None:
        app.state.engine = engine
    app.state.metrics = metrics = ApiMetrics()
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    # innermost: answers current cached customer pages; the rest goes on to the routes
    app.add_middleware(PageFastPath)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)  # outermost: sees 413s too

    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        # Request bodies are parsed by kunde (see kunde.api.body), so their schemas are added here.
        if app.openapi_schema is None:
            schema = default_openapi()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, body_schema in BODY_SCHEMAS.items():
                components.setdefault(name, body_schema)
        return app.openapi_schema or default_openapi()

    app.openapi = openapi  # type: ignore[method-assign]
    return app
