"""Slow clients cannot hold connections: a real `python -m service` cuts a request whose headers or body trickle in
past their deadline (408), and past the connection cap answers 503 (issue 14: uvicorn alone kept a connection
open for as long as a client sent a byte every few seconds).

The clients are raw sockets: an HTTP library would send a request whole.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import closing

import pytest
from service_support import LiveServer, start_server

from indexer.errors import PodqueryError
from service.config import ServiceConfig

HEADER_TIMEOUT = 1.5
BODY_TIMEOUT = 2.0
MAX_CONNECTIONS = 3
SLACK = 2.5  # seconds a busy 2-core machine may add to a deadline
DRIP_S = 0.25  # a byte this often: each one would have reset uvicorn's only timer


@pytest.fixture(scope="module")
def server(service_index, tmp_path_factory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("slow-clients")
    live = start_server(service_index, folder / "server.log", extra_env={
        "PODQUERY_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "PODQUERY_BODY_TIMEOUT": str(BODY_TIMEOUT),
        "PODQUERY_MAX_CONNECTIONS": str(MAX_CONNECTIONS), "PODQUERY_KEEP_ALIVE_TIMEOUT": "60"})
    try:
        yield live
    finally:
        live.stop()


def connect(server: LiveServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.settimeout(DRIP_S)
    return sock


def drip_until_cut(sock: socket.socket, limit_s: float) -> tuple[bytes, float]:
    """Send a byte every DRIP_S seconds until the server closes the connection; what it answered, and when."""
    started, answer = time.monotonic(), b""
    while time.monotonic() - started < limit_s:
        try:
            sock.sendall(b"x")
        except OSError:  # the server closed (reset) the connection
            break
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            break
        if not chunk:
            break
        answer += chunk
    return answer, time.monotonic() - started


def request(sock: socket.socket, head: str) -> bytes:
    """Send a whole request without a body and read its answer (Content-Length framed)."""
    sock.settimeout(30)
    sock.sendall(head.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    top, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in top.split(b"\r\n") if line.lower().startswith(b"content-length"))
    while len(body) < length:
        body += sock.recv(65536)
    return top + b"\r\n\r\n" + body


def test_headers_trickling_in_are_cut_with_a_408(server):
    with closing(connect(server)) as sock:
        sock.sendall(b"GET /search?q=lava HTTP/1.1\r\nHost: podquery\r\nX-Slow: ")
        answer, took = drip_until_cut(sock, limit_s=HEADER_TIMEOUT + 10)
    assert took < HEADER_TIMEOUT + SLACK, took
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"PODQUERY_HEADER_TIMEOUT" in answer


def test_a_connection_that_sends_nothing_is_closed(server):
    with closing(connect(server)) as sock:
        sock.settimeout(HEADER_TIMEOUT + 10)
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed without a word, as an idle kept-alive connection is
    assert time.monotonic() - started < HEADER_TIMEOUT + SLACK


def test_a_body_trickling_in_is_cut_with_a_json_408(server):
    with closing(connect(server)) as sock:
        sock.sendall(b"POST /ask HTTP/1.1\r\nHost: podquery\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n{\"question\": \"")
        answer, took = drip_until_cut(sock, limit_s=BODY_TIMEOUT + 10)
    assert took < BODY_TIMEOUT + SLACK, took
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ") and b"connection: close" in head.lower(), answer
    assert b'"detail":"the request body took over 2 s to arrive (PODQUERY_BODY_TIMEOUT)"' in body


def test_a_body_no_route_reads_cannot_hold_the_connection(server):
    """GET /search answers without reading a body; the client goes on sending one, and is cut at the deadline."""
    with closing(connect(server)) as sock:
        sock.sendall(b"GET /search?q=lava HTTP/1.1\r\nHost: podquery\r\nContent-Length: 100000\r\n\r\nx")
        answer, took = drip_until_cut(sock, limit_s=BODY_TIMEOUT + 10)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]  # answered at once ...
    assert took < BODY_TIMEOUT + 1 + SLACK, took  # ... and cut a grace second after the body's deadline


def test_past_the_connection_cap_requests_get_503_until_one_closes(server):
    health = "GET /health HTTP/1.1\r\nHost: podquery\r\n\r\n"
    held = [connect(server) for _ in range(MAX_CONNECTIONS)]
    try:
        # kept alive after a request, each connection counts against the cap (and no deadline runs on it)
        assert all(request(sock, health).startswith(b"HTTP/1.1 200 ") for sock in held)
        with closing(connect(server)) as extra:
            refused = request(extra, health)
        assert refused.startswith(b"HTTP/1.1 503 ") and b"connection: close" in refused.lower(), refused
        held.pop().close()
        time.sleep(0.5)  # the server notices the close
        with closing(connect(server)) as again:
            assert request(again, health).startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in held:
            sock.close()


def test_the_settings_come_from_the_environment_and_are_checked():
    config = ServiceConfig.from_env({"PODQUERY_HEADER_TIMEOUT": "2.5", "PODQUERY_BODY_TIMEOUT": "30",
                                     "PODQUERY_KEEP_ALIVE_TIMEOUT": "7", "PODQUERY_MAX_CONNECTIONS": "50"})
    assert (config.header_timeout, config.body_timeout, config.keep_alive_timeout, config.max_connections) == (
        2.5, 30.0, 7, 50)
    defaults = ServiceConfig.from_env({})
    assert (defaults.header_timeout, defaults.body_timeout, defaults.max_connections) == (10.0, 60.0, 100)
    for name, value in (("PODQUERY_HEADER_TIMEOUT", "0"), ("PODQUERY_BODY_TIMEOUT", "nan"),
                        ("PODQUERY_BODY_TIMEOUT", "soon"), ("PODQUERY_MAX_CONNECTIONS", "0")):
        with pytest.raises(PodqueryError, match=name):
            ServiceConfig.from_env({name: value})
