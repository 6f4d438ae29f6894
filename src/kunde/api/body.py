"""Reading JSON request bodies defensively.

Bodies are read by kunde rather than by FastAPI, for three reasons: the API key is checked
before a byte of the body is parsed (dependencies run in order: key first, body second); every
way a body can be wrong ends as a 422 with a location, never a 400 or a 500 (invalid UTF-8, bad
JSON, ``NaN``/``Infinity``, numbers beyond float range, absurd nesting, NUL characters and lone
surrogates, which PostgreSQL refuses to store); and the batch size is checked before the items
are validated, so an oversized batch costs nothing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from email.message import Message
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from kunde.api.errors import validation_error

__all__ = [
    "BODY_SCHEMAS",
    "MAX_DEPTH",
    "check_batch_size",
    "read_json",
    "request_body_openapi",
    "validate",
]

MAX_DEPTH = 32
"""Deepest nesting of arrays and objects accepted in a body (event properties included)."""

_OFFLOAD_BYTES = 64 * 1024  # bodies above this are parsed in a worker thread
# Escapes that decode to characters PostgreSQL cannot store (NUL) or UTF-8 cannot encode.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|d[89a-f][0-9a-f]{2})", re.IGNORECASE)
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")

Model = TypeVar("Model", bound=BaseModel)
T = TypeVar("T")


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return True  # lenient: clients that send no content type still mean JSON
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number; send finite numbers only")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _depth(data: Any) -> int:
    """How deeply arrays and objects nest in ``data`` (level by level, no recursion)."""
    depth = 0
    level = [data] if isinstance(data, dict | list) else []
    while level:
        depth += 1
        children: list[Any] = []
        for node in level:
            values = node.values() if isinstance(node, dict) else node
            children.extend(v for v in values if isinstance(v, dict | list))
        level = children
    return depth


def _check_structure(data: Any, check_strings: bool) -> None:
    """Refuse nesting deeper than MAX_DEPTH and (if asked) strings with NUL or surrogates.

    The common case (shallow, no suspect escapes) costs one pass over the containers; the
    location of a problem is searched for only when there is one.
    """
    if _depth(data) <= MAX_DEPTH and not check_strings:
        return
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(data, 0, ())]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict | list) and depth >= MAX_DEPTH:
            raise validation_error(
                ("body", *path), f"nested deeper than {MAX_DEPTH} levels", "too_deep"
            )
        if isinstance(node, dict):
            for key, value in node.items():
                if check_strings and _BAD_CHARS.search(key):
                    raise validation_error(("body", *path, key), _BAD_CHAR_MSG, "string_invalid")
                stack.append((value, depth + 1, (*path, key)))
        elif isinstance(node, list):
            stack.extend((value, depth + 1, (*path, i)) for i, value in enumerate(node))
        elif check_strings and isinstance(node, str) and _BAD_CHARS.search(node):
            raise validation_error(("body", *path), _BAD_CHAR_MSG, "string_invalid")


_BAD_CHAR_MSG = "text must not contain NUL characters or unpaired surrogates (\\u0000, \\ud800)"


def _parse(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise validation_error(
            ("body",), f"the body is not valid UTF-8 (byte {exc.start})", "utf8_invalid"
        ) from None
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise validation_error(
            ("body",),
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            "json_invalid",
        ) from None
    except RecursionError:
        raise validation_error(
            ("body",), f"nested deeper than {MAX_DEPTH} levels", "too_deep"
        ) from None
    except ValueError as exc:  # our number hooks, or an integer with thousands of digits
        raise validation_error(("body",), f"invalid JSON: {exc}", "json_invalid") from None
    _check_structure(data, check_strings=_SUSPECT_ESCAPE.search(text) is not None)
    return data


async def read_json(request: Request, build: Callable[[Any], T]) -> T:
    """The request body parsed as JSON, checked as described in the module docstring, and
    turned into the handler's input by ``build`` (validation; it raises on invalid data).

    Large bodies are parsed and built in a worker thread, so that the event loop goes on
    serving other requests meanwhile.

    Raises:
        RequestValidationError: wrong content type, empty body, undecodable or unsafe JSON,
            or whatever ``build`` refuses.
    """
    if not _is_json(request.headers.get("content-type")):
        raise validation_error(
            ("header", "content-type"),
            "send the body as JSON with 'Content-Type: application/json'",
            "content_type_invalid",
        )
    raw = await request.body()
    if not raw.strip():
        raise validation_error(("body",), "the body is empty; send a JSON object", "missing")
    if len(raw) > _OFFLOAD_BYTES:
        return await run_in_threadpool(lambda: build(_parse(raw)))
    return build(_parse(raw))


def check_batch_size(data: Any, key: str, limit: int) -> None:
    """Refuse a ``{key: [...]}`` batch with more than ``limit`` items before validating them."""
    if isinstance(data, dict) and isinstance(data.get(key), list) and len(data[key]) > limit:
        raise validation_error(
            ("body", key),
            f"at most {limit} items per request, got {len(data[key])}; split the batch",
            "too_long",
        )


def validate(model: type[Model], data: Any) -> Model:
    """Validate parsed JSON against ``model``; errors become a field-level 422."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _from_validation_error(exc) from None


def _from_validation_error(exc: ValidationError) -> RequestValidationError:
    return RequestValidationError(
        [
            {"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
    )


BODY_SCHEMAS: dict[str, Any] = {}
"""Component schemas referenced by the request bodies declared with :func:`request_body_openapi`."""


def request_body_openapi(models: Sequence[type[BaseModel]], description: str) -> dict[str, Any]:
    """The ``openapi_extra`` of a route whose JSON body is one of ``models``.

    The models' schemas are added to :data:`BODY_SCHEMAS`, which the app merges into the
    document's ``components.schemas``.
    """
    template = "#/components/schemas/{model}"
    refs = []
    for model in models:
        schema = TypeAdapter(model).json_schema(ref_template=template)
        BODY_SCHEMAS.update(schema.pop("$defs", {}))
        BODY_SCHEMAS[model.__name__] = schema
        refs.append({"$ref": template.format(model=model.__name__)})
    body_schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": body_schema}},
        }
    }
