"""Downloading a feed's transcript and chapters links (`--fetch`): http(s) to public hosts, one deadline, a size cap.

Three limits, each because a feed is written by someone else:

- **Schemes**: http and https only, redirects included (a link must not bounce us to file:// or ftp://).
- **Hosts**: every address a host resolves to must be global (`ipaddress`: not loopback, private, link-local,
  reserved...), checked when each connection is made (the first URL and every redirect target alike) and the
  connection made to the address checked, so a name cannot resolve to a public address for the check and a private
  one for the connect. Otherwise a feed could make the indexer read the machine's own services or its network's
  (SSRF). `PODQUERY_FETCH_PRIVATE=1` (or `allow_private=True`) lifts this, for tests and trusted LANs. Proxies
  from the environment are not used: a proxy would reach the hosts for us and the check could not see where.
- **Time and size**: `timeout` is the whole download (connect, headers, body), not each read: a watchdog shuts the
  sockets at the deadline, so a server trickling a byte a second cannot hold a fetch open. DNS lookups cannot be
  interrupted and are outside it. Bodies over `max_bytes` are refused; nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from indexer.errors import InputError
from indexer.settings import Settings

FETCH_TIMEOUT_S = 10.0
MAX_DOWNLOAD_BYTES = 20 * 2**20  # JSON transcripts of 3-hour episodes are a few MB
ALLOW_PRIVATE_HINT = "set PODQUERY_FETCH_PRIVATE=1 to allow it"


class _Guard:
    """One download's connections: each host checked before it is dialled, each socket cut at the deadline."""

    def __init__(self, timeout: float, allow_private: bool) -> None:
        self.deadline = time.monotonic() + timeout
        self.allow_private = allow_private
        self.expired = False
        self._cuttable: list[socket.socket] = []  # duplicates of the connected sockets (see connect)
        self._lock = threading.Lock()

    def connect(self, address: tuple[str, int], timeout: float | None = None,
                source_address: tuple[str, int] | None = None) -> socket.socket:
        """`socket.create_connection`, to a checked address only; InputError when the host is not public.

        `timeout` (http.client passes the request's) is ignored: each connect gets what is left of the deadline.
        """
        host, port = address
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise InputError(f"cannot resolve {host}: {exc.strerror}") from None
        addresses = [str(info[4][0]) for info in infos]
        for ip in addresses:
            self.check_address(host, ip)
        error: OSError = OSError(f"no address for {host}")
        for ip in addresses:
            try:
                sock = socket.create_connection((ip, port), self.remaining(), source_address)
            except OSError as exc:
                error = exc
                continue
            with self._lock:
                # A duplicate: https wraps the socket and detaches the original; shutting down either descriptor
                # ends the one connection they share, which wakes a read blocked in another thread.
                self._cuttable.append(sock.dup())
                if self.expired:
                    self._shut_all()
            return sock
        raise error

    def check_address(self, host: str, ip: str) -> None:
        """InputError unless `ip` (an address `host` resolved to) is global or private hosts are allowed."""
        address = ipaddress.ip_address(ip.split("%", 1)[0])  # an IPv6 scope (`fe80::1%eth0`) is not an address
        if self.allow_private or address.is_global:
            return
        kind = next((name for name in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified")
                     if getattr(address, f"is_{name}")), "non-global")
        raise InputError(f"host {host} is at {address}, a {kind.replace('_', '-')} address: only public hosts are "
                         f"fetched ({ALLOW_PRIVATE_HINT})")

    def remaining(self) -> float:
        """Seconds left before the deadline, never zero (a zero timeout would make sockets non-blocking)."""
        return max(self.deadline - time.monotonic(), 0.001)

    def cut(self) -> None:
        """The watchdog: mark the download expired and shut its sockets, ending any read in progress."""
        with self._lock:
            self.expired = True
            self._shut_all()

    def _shut_all(self) -> None:
        for sock in self._cuttable:
            with contextlib.suppress(OSError):  # already closed by the server or http.client: nothing left to cut
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with self._lock:
            for sock in self._cuttable:
                sock.close()
            self._cuttable.clear()


def _handlers(guard: _Guard) -> list[urllib.request.BaseHandler]:
    """urllib handlers whose connections dial through `guard` (for http and https); redirects stay on the web."""

    def guarded(base: type[http.client.HTTPConnection]) -> Any:
        def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            conn = base(host, **kwargs)
            # http.client dials through this attribute (HTTPSConnection too, before wrapping the socket):
            # replacing it is the one hook that covers both schemes and every redirect's new connection.
            conn._create_connection = guard.connect  # type: ignore[attr-defined]
            return conn
        return make

    class Plain(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(guarded(http.client.HTTPConnection), req)

    class Secure(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(guarded(http.client.HTTPSConnection), req, context=ssl.create_default_context())

    return [Plain(), Secure(), urllib.request.HTTPDefaultErrorHandler(), _WebOnlyRedirects(),
            urllib.request.HTTPErrorProcessor()]


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) only: a feed's link must not bounce us to file:// or ftp://."""

    def http_error_302(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                       headers: http.client.HTTPMessage) -> http.client.HTTPResponse | None:
        target = urljoin(req.full_url, headers.get("Location") or headers.get("URI") or "")
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            fp.close()
            raise InputError(f"redirected to {target!r}: only http and https are followed", source=req.full_url)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def fetch_url(url: str, *, timeout: float | None = None, max_bytes: int | None = None,
              allow_private: bool | None = None) -> bytes:
    """The body at an http(s) URL, at most `max_bytes`, within `timeout` seconds in all.

    Every failure (scheme, host, HTTP status, deadline, size) is an InputError. `allow_private` None means the
    `PODQUERY_FETCH_PRIVATE` setting.
    """
    timeout = FETCH_TIMEOUT_S if timeout is None else timeout
    max_bytes = MAX_DOWNLOAD_BYTES if max_bytes is None else max_bytes
    allow_private = Settings.from_env().fetch_private if allow_private is None else allow_private
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise InputError("only http and https URLs are downloaded", source=url)
    guard = _Guard(timeout, allow_private)
    # Built by hand rather than build_opener(), which would add file://, ftp:// and data: handlers (and proxies).
    opener = urllib.request.OpenerDirector()
    for handler in _handlers(guard):
        opener.add_handler(handler)
    request = urllib.request.Request(url, headers={"User-Agent": "podquery (+feed transcripts)"})
    watchdog = threading.Timer(timeout, guard.cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        body = _read(opener, request, timeout, max_bytes)
    except InputError as exc:
        raise exc.at(url) from None
    except (OSError, http.client.HTTPException, ValueError) as exc:  # a cut connection's errors are the deadline's
        if guard.expired:
            raise _timed_out(url, timeout) from None
        raise _failure(exc, url) from None
    finally:
        watchdog.cancel()
        guard.close()
    if guard.expired:  # a cut connection can also look like a short body ending early
        raise _timed_out(url, timeout)
    if len(body) > max_bytes:
        raise InputError(f"download is over the {max_bytes}-byte limit", source=url)
    return body


def _read(opener: urllib.request.OpenerDirector, request: urllib.request.Request, timeout: float,
          max_bytes: int) -> bytes:
    """Open and read up to `max_bytes` + 1 bytes (one more tells an oversized body from one exactly at the cap)."""
    with opener.open(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise InputError(f"download is {int(length)} bytes, over the {max_bytes}-byte limit")
        data: bytes = response.read(max_bytes + 1)
        return data


def _timed_out(url: str, timeout: float) -> InputError:
    return InputError(f"download timed out: not complete within {timeout:g} s", source=url)


def _failure(exc: OSError | http.client.HTTPException | ValueError, url: str) -> InputError:
    """The InputError for a download that failed before its deadline."""
    if isinstance(exc, urllib.error.HTTPError):
        return InputError(f"HTTP {exc.code} {exc.reason}", source=url)
    if isinstance(exc, urllib.error.URLError):
        return InputError(f"download failed: {exc.reason}", source=url)
    return InputError(f"download failed: {exc}", source=url)
