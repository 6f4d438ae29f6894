"""Customer pages computed before they are asked for: when a server starts and whenever it
loads a newly trained model.

A page is computed on its customer's first request (see :mod:`kunde._engine.recommend_pages`):
on a server that has just started, or has just loaded a new model, every customer's first
request pays for it, in the event loop, and the latency of those requests shows it. The
:class:`PageWarmer` computes the home pages (k = 10) of the most recently active customers in a
background thread instead, up to ``recommend_warm_pages`` (and the page cache's size); it also
loads a newly trained model before a request has to. Pages are computed exactly as a request
computes them: the cache keys them by the model and the customer's state, so a warmed page is
never stale (a change made meanwhile gives a new key, and the request computes afresh).
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from kunde.errors import NotFittedError

__all__ = ["PageWarmer", "Warmable"]

_log = logging.getLogger("kunde.recommend")

_RETRY_SECONDS = 30.0
"""Wait after a failed warming before the next attempt."""


class Warmable(Protocol):
    """What the warmer needs of the engine."""

    def recommend_model_version(self) -> str | None: ...

    def warm_recommend_pages(self, stop: threading.Event | None = None) -> int: ...


class PageWarmer:
    """A daemon thread that warms the page cache for each model the process serves.

    Args:
        engine: the engine whose pages to compute.
        every_seconds: how often to look for a newly trained model (a file stat).
    """

    def __init__(self, engine: Warmable, every_seconds: float) -> None:
        self._engine = engine
        self._every = max(every_seconds, 0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kunde-page-warmer", daemon=True)
        self.warmed: dict[str, int] = {}
        """Pages computed per model version (for logs and tests)."""

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the page being computed (waits up to ``timeout`` seconds)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                version = self._engine.recommend_model_version()
                if version is not None and version not in self.warmed:
                    self.warmed[version] = self._engine.warm_recommend_pages(self._stop)
                    _log.info(
                        "warmed %d recommendation pages for model %s",
                        self.warmed[version],
                        version,
                    )
            except NotFittedError:
                pass  # nothing trained yet: look again later
            except Exception as exc:  # the thread outlives a failure (the database away, ...)
                _log.warning("warming recommendation pages failed: %s; trying again later", exc)
                self._stop.wait(_RETRY_SECONDS)
            self._stop.wait(self._every)
