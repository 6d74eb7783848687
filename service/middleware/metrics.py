"""Prometheus metrics: requests and latency per route template, and the size of the loaded index.

Each app gets its own registry, so several apps in one process (tests) never collide, and `/metrics`
shows only this service. Routes are labelled by template (`/episodes/{episode_id}`), never by raw path:
one label per route keeps the series count fixed whatever clients request.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TYPE = CONTENT_TYPE_LATEST
UNMATCHED = "unmatched"  # requests no route matched (404s): one label, not one per path tried
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# from a cached keyword hit (~2 ms) to a cold semantic search on a big index (seconds)
_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The service's metric families, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # memory, CPU, open files: what a slow search first needs
        self.requests = Counter("podquery_http_requests", "HTTP requests answered, by route template and status.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("podquery_http_request_duration_seconds",
                                 "Time to answer an HTTP request, by route template.",
                                 ["method", "route"], buckets=_BUCKETS, registry=self.registry)
        self.in_flight = Gauge("podquery_http_requests_in_flight", "Requests being answered now.",
                               registry=self.registry)
        self.index_loaded = Gauge("podquery_index_loaded", "1 when the index and model are loaded.",
                                  registry=self.registry)
        self.episodes = Gauge("podquery_index_episodes", "Episodes in the loaded index.", registry=self.registry)
        self.podcasts = Gauge("podquery_index_podcasts", "Podcasts in the loaded index.", registry=self.registry)
        self.passages = Gauge("podquery_index_passages", "Passages in the loaded index, by kind.", ["kind"],
                              registry=self.registry)

    def observe_index(self, counts: Mapping[str, object]) -> None:
        """Record the loaded index's size (it does not change while the process runs).

        `counts` is the manifest's untyped JSON object (`Index.counts()` has the same shape), hence the checks.
        """
        self.index_loaded.set(1)
        self.episodes.set(_number(counts["episodes"]))
        self.podcasts.set(_number(counts["podcasts"]))
        by_kind = counts["passages_by_kind"]
        if not isinstance(by_kind, Mapping):
            raise TypeError(f"passages_by_kind must be an object of counts, got {by_kind!r}")
        for kind, n in by_kind.items():
            self.passages.labels(kind).set(_number(n))

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _number(value: object) -> float:
    """A count from the manifest as a gauge value."""
    if isinstance(value, int | float):
        return float(value)
    raise TypeError(f"an index count must be a number, got {value!r}")


def route_label(scope: Scope) -> str:
    """The template of the route that answered (`/episodes/{episode_id}`), or UNMATCHED."""
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    return str(getattr(route, "path_format", None) or getattr(route, "path", None) or UNMATCHED)


class MetricsMiddleware:
    """Pure ASGI middleware that counts and times every HTTP request (a streaming-safe BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the app fails before answering
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.in_flight.dec()
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            route = route_label(scope)
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
