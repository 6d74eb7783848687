"""How the service is served: uvicorn, with deadlines for slow clients and a cap on connections.

uvicorn bounds idle kept-alive connections (`timeout_keep_alive`), the size of request headers
(`h11_max_incomplete_event_size`, 16 KB by default) and the connections it serves (`limit_concurrency`: past it
a request gets 503), but not how long a client may take to send a request: no timer runs before the first
request or while a body arrives, and its keep-alive timer is cancelled by every byte received, so a client
sending a byte every few seconds held a connection for ever (issue 14). `DeadlineProtocol` is uvicorn's h11
protocol with two deadlines per request:

- the headers: `header_timeout` seconds from the connection opening (or from the first byte of the next request
  on a kept-alive connection) to the end of the headers. Past it the connection is closed, after a 408 if part of
  a request had arrived (a connection that sent nothing is closed silently, as an idle one is);
- the body: `body_timeout` seconds from the end of the headers to the end of the body. A route reading the body
  answers 408 then (middleware/readtimeout.py); a second later the connection is closed whatever the app did,
  so a body no route reads (a GET with a body, a POST refused before it was read) cannot hold it either.

The h11 protocol is used whatever is installed (uvicorn would pick httptools when present), so these deadlines
always apply. The subclass reads H11Protocol's `conn`, `loop` and `transport`: tests/service/test_slow_clients.py
fails if an uvicorn release changes them.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import h11
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from .config import DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, ServiceConfig

# after a body's deadline, how long the app has to send its 408 before the connection is cut under it
GRACE_S = 1.0


def request_timeout(detail: str) -> bytes:
    """A whole 408 response, written straight to the socket: before the headers are in, no ASGI app has run."""
    body = json.dumps({"detail": detail}).encode()
    head = (f"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
            "connection: close\r\n\r\n")
    return head.encode() + body


class DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, with the header and body deadlines described above (class attributes, set by
    `deadline_protocol`: uvicorn builds one protocol per connection from the class)."""

    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    _deadline: asyncio.TimerHandle | None = None
    _part: str | None = None  # what the running deadline waits for: "headers", "body", or nothing

    def _expect(self, part: str | None) -> None:
        """Run the deadline for `part` of the current request (none for None); one already running for the same
        part keeps its time."""
        if part == self._part:
            return
        if self._deadline is not None:
            self._deadline.cancel()
        self._part, self._deadline = part, None
        if part == "headers":
            self._deadline = self.loop.call_later(self.header_timeout, self._headers_late)
        elif part == "body":
            self._deadline = self.loop.call_later(self.body_timeout + GRACE_S, self._body_late)

    def _waiting_for(self) -> str | None:
        state = self.conn.their_state
        return "headers" if state is h11.IDLE else "body" if state is h11.SEND_BODY else None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect("headers")

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:  # the first bytes of the next request on a kept-alive connection
            self._expect("headers")
        super().data_received(data)
        self._expect(self._waiting_for())  # headers ended: the body's deadline; request ended: none

    def connection_lost(self, exc: Exception | None) -> None:
        self._expect(None)
        super().connection_lost(exc)

    def _headers_late(self) -> None:
        self._part = self._deadline = None
        if self.conn.their_state is not h11.IDLE or self.transport.is_closing():
            return
        if self.conn.trailing_data[0]:  # part of a request came: say why it is refused
            self.transport.write(request_timeout(
                f"the request line and headers took over {self.header_timeout:g} s (PODQUERY_HEADER_TIMEOUT)"))
        self.transport.close()

    def _body_late(self) -> None:
        self._part = self._deadline = None
        if self.conn.their_state is h11.SEND_BODY and not self.transport.is_closing():
            self.transport.close()


def deadline_protocol(header_timeout: float, body_timeout: float) -> type[DeadlineProtocol]:
    """DeadlineProtocol with these deadlines, for uvicorn's `http=`."""

    class Configured(DeadlineProtocol):
        pass

    Configured.header_timeout, Configured.body_timeout = header_timeout, body_timeout
    return Configured


def _uvicorn_options(config: ServiceConfig) -> dict[str, Any]:
    # X-Forwarded-For is honoured only from the configured proxies (uvicorn would trust it from 127.0.0.1 by
    # default, letting any local client pick the address its rate limit is counted against); without any, the
    # header is ignored and the access log shows the real peer
    return {"host": config.host, "port": config.port, "log_level": config.log_level,
            "proxy_headers": bool(config.trusted_proxies), "forwarded_allow_ips": list(config.trusted_proxies),
            "timeout_keep_alive": config.keep_alive_timeout,
            # uvicorn answers 503 once the open connections, the asking one included, reach its limit
            "limit_concurrency": config.max_connections + 1}


def serve(app: ASGIApp, config: ServiceConfig) -> None:
    """Run `app` with uvicorn on the configured address until interrupted."""
    uvicorn.run(app, http=deadline_protocol(config.header_timeout, config.body_timeout), **_uvicorn_options(config))


class WorkerDeadlineProtocol(DeadlineProtocol):
    """DeadlineProtocol for worker processes, which import the protocol by name; `worker_app` sets its deadlines
    from the environment when the worker starts."""


def worker_environment(config: ServiceConfig) -> dict[str, str]:
    """The variables that make a worker's `ServiceConfig.from_env()` this config (command-line options included)."""
    return {"PODQUERY_INDEX": str(config.index), "PODQUERY_HOST": config.host, "PODQUERY_PORT": str(config.port),
            "PODQUERY_LOG_LEVEL": config.log_level, "PODQUERY_THREADS": str(config.threads),
            "PODQUERY_CORS_ORIGINS": ",".join(config.cors_origins), "PODQUERY_WORKERS": str(config.workers)}


def serve_workers(config: ServiceConfig) -> None:
    """Run `config.workers` uvicorn worker processes on one socket; each builds its app with `worker_app`."""
    os.environ.update(worker_environment(config))
    uvicorn.run("service.server:worker_app", factory=True, workers=config.workers,
                http="service.server:WorkerDeadlineProtocol", **_uvicorn_options(config))


def worker_app() -> ASGIApp:
    """One worker's app, from the environment `serve_workers` set (the parent checked it before starting us)."""
    from .app import create_app
    from .state import limit_compute_threads, limit_malloc_arenas

    config = ServiceConfig.from_env()
    limit_malloc_arenas()
    limit_compute_threads(config.threads)
    WorkerDeadlineProtocol.header_timeout = config.header_timeout
    WorkerDeadlineProtocol.body_timeout = config.body_timeout
    return create_app(config)
