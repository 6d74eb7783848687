"""Per-client rate limits: each IP gets so many requests a minute, writes fewer; past that a 429 with Retry-After.

Counting is done by `limits` (the engine under slowapi), with its sliding-window counter: two counters per client
and class, so memory stays flat however high a limit is set, and there is no burst of twice the limit at a window
edge as with fixed windows. slowapi's own middleware is not used: its ASGI version sends `http.response.start`
again for every body chunk (any streaming response fails), and its per-route decorators need a `request`
parameter on every route.

The client is the connection's address as the server reports it (`scope["client"]`). uvicorn replaces it with
`X-Forwarded-For` only for the proxies in `PODQUERY_TRUSTED_PROXIES` (none by default: a client cannot pick its
own address), so behind a reverse proxy listed there each real client still counts on its own.
"""

from __future__ import annotations

import ipaddress
import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from indexer.errors import PodqueryError

OFF = frozenset({"", "off", "none", "unlimited"})
# Probes and scrapes must get through when a client is throttled: that is when they matter most.
EXEMPT_PATHS = frozenset({"/health", "/metrics"})
_WRITE_PATHS = ("/episodes",)
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def parse_rate(text: str, setting: str) -> list[RateLimitItem]:
    """`"120/minute"`, `"10/second;1000/hour"` as limits' items; [] for "off". PodqueryError names `setting`."""
    if text.strip().lower() in OFF:
        return []
    try:
        return parse_many(text)
    except ValueError:
        raise PodqueryError(f"{setting} must be like '120/minute' or '10/second;1000/hour' (or 'off'), "
                            f"got {text!r}") from None


def request_class(method: str, path: str) -> str | None:
    """"write" for changes to the index, "read" for everything else, None for the exempt probes."""
    if path in EXEMPT_PATHS:
        return None
    if method not in _READ_METHODS and path.startswith(_WRITE_PATHS):
        return "write"
    return "read"


def client_key(host: str) -> str:
    """Whom a request is counted against: its IPv4 address, or its IPv6 /64 (one host usually holds a whole /64,
    so counting single IPv6 addresses would give it billions of budgets)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host  # not an address (a Unix socket, a test client): counted as given
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


class RateLimitMiddleware:
    """Pure ASGI middleware: counts each request against its client's read or write limits before the app runs."""

    def __init__(self, app: ASGIApp, *, reads: str, writes: str) -> None:
        self.app = app
        self.limits = {"read": parse_rate(reads, "PODQUERY_RATE_LIMIT"),
                       "write": parse_rate(writes, "PODQUERY_WRITE_RATE_LIMIT")}
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = request_class(scope["method"], scope["path"])
        if kind is None:  # an exempt probe or scrape
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        who = client_key(client[0]) if client else "unknown"
        for item in self.limits[kind]:
            if not self.limiter.hit(item, kind, who):
                await self._refuse(item, kind, who)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refuse(self, item: RateLimitItem, kind: str, who: str) -> JSONResponse:
        reset = self.limiter.get_window_stats(item, kind, who).reset_time
        retry = max(1, math.ceil(reset - time.time()))
        detail = f"too many requests: the limit is {item} per client for {kind}s; retry in {retry} s"
        return JSONResponse({"detail": detail}, status_code=429, headers={"Retry-After": str(retry)})
