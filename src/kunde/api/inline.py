"""Running a short engine call in the event loop, or in a thread when it may wait."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

__all__ = ["inline_or_thread"]

_P = ParamSpec("_P")
_T = TypeVar("_T")


async def inline_or_thread(
    inline: bool, call: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
) -> _T:
    """``call(*args, **kwargs)``: right here when ``inline`` (the engine said it cannot wait,
    e.g. a local SQLite read), otherwise in a worker thread so the event loop keeps serving."""
    if inline:
        return call(*args, **kwargs)
    return await run_in_threadpool(call, *args, **kwargs)
