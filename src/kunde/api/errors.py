"""Exception handlers: every error becomes a JSON body with the status its class names.

* :class:`~kunde.errors.KundeError` subclasses answer with their ``http_status``; input errors use
  the field-level shape ``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}``, all others
  ``{"detail": "one sentence"}``. 401 answers carry ``WWW-Authenticate: Bearer``.
* Request validation errors (path and query parameters) use the field-level shape; the offending
  input is not echoed back (it may be large or personal).
* The database failing to answer (down, locked for too long) is a 503 with ``Retry-After``.
* A write refused by a database constraint (a concurrent request stored the same key first) is a
  409, like :class:`~kunde.errors.ConflictError`: the request may be sent again.
* Anything else is a bug: it is logged with its traceback and answered with a generic 500.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException

from kunde.errors import AuthenticationError, InputError, InvalidFieldError, KundeError

__all__ = ["field_errors", "install_error_handlers", "validation_error"]

log = logging.getLogger("kunde.api")


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Reduce pydantic/FastAPI error dicts to ``loc``, ``msg`` and ``type`` (no input echo)."""
    return [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "invalid value")),
            "type": str(error.get("type", "value_error")),
        }
        for error in errors
    ]


def validation_error(loc: Sequence[str | int], msg: str, type_: str) -> RequestValidationError:
    """A 422 for one problem at ``loc``."""
    return RequestValidationError([{"loc": tuple(loc), "msg": msg, "type": type_}])


def _field_loc(field: str) -> list[str | int]:
    """``"orders[0].lines[2].unit_price"`` → ``["body", "orders", 0, "lines", 2, "unit_price"]``."""
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", field)]
    return ["body", *parts]


def _kunde_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KundeError)
    status = exc.http_status
    if isinstance(exc, InvalidFieldError):
        detail: Any = [{"loc": _field_loc(exc.field), "msg": exc.detail, "type": "invalid_field"}]
    elif isinstance(exc, InputError):
        detail = [{"loc": ["body"], "msg": exc.message, "type": "invalid_input"}]
    else:
        detail = exc.message
    if status >= 500:
        log.error("%s: %s", type(exc).__name__, exc.message)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else None
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _request_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": field_errors(exc.errors())}, status_code=422)


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse(
        {"detail": exc.detail}, status_code=exc.status_code, headers=dict(exc.headers or {})
    )


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {"detail": "The database is unavailable or busy; try again shortly."},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("constraint violated on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {"detail": "A concurrent request changed the same data; send the request again."},
        status_code=409,
    )


def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "Internal server error."}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register kunde's exception handlers on ``app``."""
    app.add_exception_handler(KundeError, _kunde_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(Exception, _unexpected_error)
