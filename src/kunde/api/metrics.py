"""Prometheus metrics of the HTTP API.

``GET /metrics`` needs no API key, as Prometheus scrapers expect: it exposes request counts,
latencies and ingest counters per route template, never ids or personal data. Keep the port
behind your firewall if even traffic volumes are confidential.

Each app has its own registry (so that several apps in one process, as in tests, do not collide).
Under ``kunde serve --workers N`` every worker is a process of its own; ``serve`` then sets
``PROMETHEUS_MULTIPROC_DIR`` and the exposition aggregates all workers.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = ["CONTENT_TYPE_LATEST", "ApiMetrics"]


class ApiMetrics:
    """The counters and histograms one app records."""

    def __init__(self) -> None:
        self.multiprocess = "PROMETHEUS_MULTIPROC_DIR" in os.environ
        self.registry = CollectorRegistry()
        # In multiprocess mode values live in files that the collector reads; the metric
        # objects must then not be registered themselves (they would be reported twice).
        own = None if self.multiprocess else self.registry
        if self.multiprocess:
            MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]
        self.requests = Counter(
            "kunde_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=own,
        )
        self.latency = Histogram(
            "kunde_http_request_duration_seconds",
            "Time from request to the end of the response, by method, route template and status.",
            ["method", "route", "status"],
            registry=own,
        )
        self.ingested = Counter(
            "kunde_ingested_items",
            "Items posted to the API, by kind (orders, events, products) and outcome.",
            ["kind", "outcome"],
            registry=own,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one answered request."""
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def count_ingested(self, kind: str, **outcomes: int) -> None:
        """Add ``outcomes`` (e.g. ``created=3, unchanged=1``) to the ingest counter of ``kind``."""
        for outcome, count in outcomes.items():
            if count:
                self.ingested.labels(kind, outcome).inc(count)

    def exposition(self) -> bytes:
        """The metrics in Prometheus text format."""
        return bytes(generate_latest(self.registry))
