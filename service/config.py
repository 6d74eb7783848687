"""Service settings in one place: index path, address, CORS, limits; read from `PODQUERY_*` variables once.

The library's own tunables (model, fusion weights...) stay in `indexer.settings.Settings`, carried here as
`settings` so the service and the CLI search the same way.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from indexer.errors import PodqueryError
from indexer.settings import Settings

from .middleware.ratelimit import parse_rate

DEFAULT_HOST = "127.0.0.1"  # local-first: reachable from this machine only unless asked otherwise
DEFAULT_PORT = 8000
# One query is a tiny batch: a single thread embeds it in ~5-15 ms, while several threads spin-wait against each
# other and against concurrent requests (measured on 2 busy cores: 13 ms with 1 thread, 80-730 ms with 2)
DEFAULT_THREADS = 1
# A person at the search page sends a few requests a search; scripts get 2 a second. Writes re-embed passages and
# swap index generations, so far fewer.
DEFAULT_RATE_LIMIT = "120/minute"
DEFAULT_WRITE_RATE_LIMIT = "10/minute"
# Slow clients (server.py): a client gets this long to send its request line and headers, and then its body; past
# either the connection is cut, so a client trickling bytes cannot hold a connection for ever. A 10 MB record
# at 200 KB/s takes 50 s; headers are a few hundred bytes.
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_BODY_TIMEOUT = 60.0
# connections served at once (more get 503 until one closes): far above what the page and scripts open, low
# enough that a flood of idle connections cannot exhaust file descriptors
DEFAULT_MAX_CONNECTIONS = 100


@dataclass(frozen=True)
class ServiceConfig:
    """What the service needs to start. Build with `from_env()` (plus command-line overrides) and pass down."""

    index: Path | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    # origins allowed to call the API from other sites' pages; empty means no CORS headers at all (closed)
    cors_origins: tuple[str, ...] = ()
    log_level: str = "info"
    threads: int = DEFAULT_THREADS  # torch and FAISS threads per search; set by `python -m service` at start
    settings: Settings = field(default_factory=Settings)
    # the write endpoints (POST/DELETE /episodes) need this key; unset, they are off
    api_key: str | None = field(default=None, repr=False)
    reload_interval: float = 0.5  # seconds between checks for a new index generation
    # the largest request body any route accepts (413 past it): an episode record with its transcript inline
    max_body_bytes: int = 10 * 2**20
    # requests per client IP ("120/minute", "10/second;1000/hour", or "off"); writes are POST/DELETE /episodes
    rate_limit: str = DEFAULT_RATE_LIMIT
    write_rate_limit: str = DEFAULT_WRITE_RATE_LIMIT
    # addresses/networks of reverse proxies whose X-Forwarded-For names the client; empty: the header is ignored,
    # since otherwise any local client could name its own address and get a fresh rate-limit budget each request
    trusted_proxies: tuple[str, ...] = ()
    # seconds a client has for its request line and headers, then for its whole body (408 past either)
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    keep_alive_timeout: int = 5  # seconds an idle kept-alive connection stays open (uvicorn's own default)
    max_connections: int = DEFAULT_MAX_CONNECTIONS  # connections served at once; the next request gets 503
    # processes serving the same index and port (each loads the model, maps the index and follows generations;
    # rate limits and metrics are counted per worker)
    workers: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServiceConfig:
        """Settings from `PODQUERY_INDEX`, `_HOST`, `_PORT`, `_CORS_ORIGINS` (comma-separated), `_LOG_LEVEL`,
        `_THREADS`, `_API_KEY`, `_MAX_BODY_BYTES`, `_RATE_LIMIT`, `_WRITE_RATE_LIMIT`, `_TRUSTED_PROXIES`
        (comma-separated addresses or CIDRs), `_HEADER_TIMEOUT`, `_BODY_TIMEOUT`, `_KEEP_ALIVE_TIMEOUT` (seconds),
        `_MAX_CONNECTIONS`, `_WORKERS`, plus the library's own `PODQUERY_*` settings."""
        env = os.environ if environ is None else environ
        d = cls()
        index = env.get("PODQUERY_INDEX")
        port = _int(env, "PODQUERY_PORT", d.port)
        origins = tuple(o.strip() for o in env.get("PODQUERY_CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            index=Path(index) if index else None,
            host=env.get("PODQUERY_HOST", d.host),
            port=port,
            cors_origins=origins,
            log_level=env.get("PODQUERY_LOG_LEVEL", d.log_level).lower(),
            threads=_int(env, "PODQUERY_THREADS", d.threads),
            api_key=env.get("PODQUERY_API_KEY") or None,
            max_body_bytes=_int(env, "PODQUERY_MAX_BODY_BYTES", d.max_body_bytes),
            rate_limit=env.get("PODQUERY_RATE_LIMIT", d.rate_limit),
            write_rate_limit=env.get("PODQUERY_WRITE_RATE_LIMIT", d.write_rate_limit),
            trusted_proxies=proxy_networks(env.get("PODQUERY_TRUSTED_PROXIES", "").split(",")),
            header_timeout=_float(env, "PODQUERY_HEADER_TIMEOUT", d.header_timeout),
            body_timeout=_float(env, "PODQUERY_BODY_TIMEOUT", d.body_timeout),
            keep_alive_timeout=_int(env, "PODQUERY_KEEP_ALIVE_TIMEOUT", d.keep_alive_timeout),
            max_connections=_int(env, "PODQUERY_MAX_CONNECTIONS", d.max_connections),
            workers=_int(env, "PODQUERY_WORKERS", d.workers),
            settings=Settings.from_env(),
        ).checked()

    def with_overrides(self, **changes: Any) -> ServiceConfig:
        """A copy with the given fields replaced (None values are ignored: an unset option keeps the env value).

        `Any` because each field has its own type (as in `dataclasses.replace`); `checked()` vets the values.
        """
        kept = {k: v for k, v in changes.items() if v is not None}
        if isinstance(kept.get("index"), str):
            kept["index"] = Path(kept["index"])
        return replace(self, **kept).checked()

    def checked(self) -> ServiceConfig:
        """Refuse values that would only fail later, with a message naming the setting."""
        if not 0 < self.port < 65536:
            raise PodqueryError(f"port must be between 1 and 65535, got {self.port}")
        if self.threads < 1:
            raise PodqueryError(f"threads must be at least 1, got {self.threads}")
        if self.max_body_bytes < 0:
            raise PodqueryError(f"PODQUERY_MAX_BODY_BYTES must be 0 or more, got {self.max_body_bytes}")
        for name, seconds in (("HEADER_TIMEOUT", self.header_timeout), ("BODY_TIMEOUT", self.body_timeout),
                              ("KEEP_ALIVE_TIMEOUT", self.keep_alive_timeout)):
            if not 0 < seconds < math.inf:
                raise PodqueryError(f"PODQUERY_{name} must be a number of seconds above 0, got {seconds}")
        if self.workers < 1:
            raise PodqueryError(f"workers must be at least 1, got {self.workers}")
        if self.max_connections < 1:
            raise PodqueryError(f"PODQUERY_MAX_CONNECTIONS must be at least 1, got {self.max_connections}")
        parse_rate(self.rate_limit, "PODQUERY_RATE_LIMIT")
        parse_rate(self.write_rate_limit, "PODQUERY_WRITE_RATE_LIMIT")
        proxy_networks(self.trusted_proxies)
        return self


def proxy_networks(items: Iterable[str]) -> tuple[str, ...]:
    """Each non-blank item as a normalised address or network ("10.0.0.0/8", "::1"), for uvicorn's
    `forwarded_allow_ips`. Checked here because uvicorn takes a value it cannot parse as a literal host name,
    silently trusting nothing (or, for a network with host bits, not the network meant)."""
    out = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            out.append(str(ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)))
        except ValueError:
            raise PodqueryError(f"PODQUERY_TRUSTED_PROXIES must be comma-separated IP addresses or networks "
                                f"(CIDR), got {item!r}") from None
    return tuple(out)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, str(default))
    try:
        return int(text)
    except ValueError:
        raise PodqueryError(f"{name} must be a whole number, got {text!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, str(default))
    try:
        return float(text)
    except ValueError:
        raise PodqueryError(f"{name} must be a number, got {text!r}") from None
