"""bench/attack.py's attacks over HTTP, against the real service (`python -m service` with an API key).

Bodies, framing and slow clients go over raw sockets (an HTTP library would fix up what the attack needs broken);
the amplification inputs and the forwarded-header rotation use httpx. Each attack returns (what was sent, what
came back, whether that is the expected, bounded outcome); bench/attack.py adds wall time and peak RSS.
While an attack that could stall the server runs, a probe searches every 0.25 s from another connection: the
slowest of its searches is part of the outcome, because "bounded" means the other clients are served meanwhile.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from bench.loadkit import QUERIES

KEY = "bench-attack-key"  # the attacked server's PODQUERY_API_KEY (loopback only)
PROBE_MAX_S = 2.5  # the slowest search a probe may see while an attack runs
LONG_SUMMARY = " ".join(f"Summary note {i} says we talked about computers and privacy with a guest."
                        for i in range(1500))
REPEATED = " ".join(["zyzzyva"] * 16_000)
Outcome = tuple[str, str, bool]  # (sent, outcome, within bound)


class Probe:
    """Searches one at a time, 0.25 s apart, on its own connection, until stopped; the slowest and the failures."""

    def __init__(self, url: str) -> None:
        self.url, self.latencies, self.failures = url, [0.0], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as client:
            n = 0
            while not self._stop.wait(0.25):
                started = time.perf_counter()
                try:
                    ok = client.get("/search", params={"q": QUERIES[n % len(QUERIES)], "k": 10}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.latencies.append(time.perf_counter() - started)
                self.failures += not ok
                n += 1

    def stop(self) -> tuple[str, bool]:
        self._stop.set()
        self._thread.join(timeout=70)
        worst = max(self.latencies)
        text = f"searches meanwhile: {len(self.latencies) - 1}, slowest {worst * 1000:.0f} ms, {self.failures} failed"
        return text, worst <= PROBE_MAX_S and self.failures == 0


@contextmanager
def probing(url: str) -> Iterator[Probe]:
    probe = Probe(url)
    try:
        yield probe
    finally:
        probe.stop()


def _connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    sock.settimeout(10)
    return sock


def _status(sock: socket.socket, wait_s: float = 10.0) -> str:
    """The response's status code, or what happened instead ("closed", "reset", "no answer")."""
    sock.settimeout(wait_s)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return f"closed{' after ' + repr(data[:40]) if data else ''}"
            data += chunk
    except TimeoutError:
        return "no answer"
    except ConnectionResetError:
        return "reset"
    parts = data.split(b"\r\n", 1)[0].split()
    return parts[1].decode() if len(parts) > 1 else repr(data[:40])


def _closed(sock: socket.socket, wait_s: float = 5.0) -> bool:
    """Whether the server closes the connection (after its answer) within `wait_s`."""
    sock.settimeout(wait_s)
    try:
        while sock.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def body_declared(port: int) -> Outcome:
    sock = _connect(port)
    with sock:
        sock.sendall(b"POST /episodes HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nX-API-Key: "
                     + KEY.encode() + b"\r\nContent-Length: 1073741824\r\n\r\n" + b"{" * 65536)
        status = _status(sock)
    return "POST /episodes, Content-Length 1 GiB, 64 KiB sent", status, status == "413"


def body_chunked(port: int) -> Outcome:
    """12 MiB chunked (no Content-Length) against the 10 MiB cap: refused as it is counted."""
    sock = _connect(port)
    sent = 0
    with sock:
        sock.sendall(b"POST /episodes HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nX-API-Key: "
                     + KEY.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
        try:
            while sent < 12 * 2**20:
                sock.sendall(chunk)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the server stopped reading: its answer is waiting
        status = _status(sock)
    return ("POST /episodes, chunked, 12 MiB offered", f"{status} after {sent / 2**20:.1f} MiB sent",
            status == "413")


def smuggle(port: int) -> Outcome:
    sock = _connect(port)
    with sock:
        sock.sendall(b"POST /ask HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n")
        status = _status(sock)
        closed = _closed(sock)
    return ("POST /ask with Content-Length and Transfer-Encoding, a GET behind it",
            f"{status}, connection {'closed' if closed else 'kept open'}", status == "400" and closed)


def _trickle(socks: list[socket.socket], bound_s: float) -> list[float | None]:
    """One byte a second on every socket until the server ends each (answer or close), or bound_s + 10 s pass;
    the second each one ended (None: still open)."""
    started = time.monotonic()
    ended: list[float | None] = [None] * len(socks)
    while time.monotonic() - started < bound_s + 10 and None in ended:
        for i, sock in enumerate(socks):
            if ended[i] is None:
                try:
                    sock.send(b"a")
                except OSError:
                    ended[i] = time.monotonic() - started
        readable, _, _ = select.select([s for s, e in zip(socks, ended, strict=True) if e is None], [], [], 1.0)
        for sock in readable:
            ended[socks.index(sock)] = time.monotonic() - started  # an answer (408?) or the end of the stream
    return ended


def _ended(ended: list[float | None], bound_s: float) -> tuple[str, bool]:
    cut = [e for e in ended if e is not None]
    text = f"{len(cut)}/{len(ended)} cut, last after {max(cut):.0f} s" if cut else f"none cut in {bound_s + 10:.0f} s"
    return text, len(cut) == len(ended) and max(cut) <= bound_s


def slow_body(port: int, url: str, bound_s: float) -> Outcome:
    sock = _connect(port)
    with sock, probing(url) as probe:
        sock.sendall(b"POST /ask HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n")
        text, ok = _ended(_trickle([sock], bound_s), bound_s)
    meanwhile, served = probe.stop()
    return "POST /ask, Content-Length 4096, body at 1 byte/s", f"{text}; {meanwhile}", ok and served


def slow_headers(port: int, url: str, bound_s: float, connections: int = 50) -> Outcome:
    socks = [_connect(port) for _ in range(connections)]
    try:
        with probing(url) as probe:
            for sock in socks:
                sock.sendall(b"GET /search?q=a HTTP/1.1\r\nHost: a\r\nX-Slow: ")
            text, ok = _ended(_trickle(socks, bound_s), bound_s)
        meanwhile, served = probe.stop()
    finally:
        for sock in socks:
            sock.close()
    return f"{connections} connections, headers at 1 byte/s", f"{text}; {meanwhile}", ok and served


def attack_episode(episode_id: str, **fields: object) -> dict[str, object]:
    return {"id": episode_id, "title": f"Attack {episode_id}", "podcast": "Attacks",
            "transcript": [{"start": 0, "end": 20, "speaker": "Host", "text": "Welcome. We talk about privacy."}],
            **fields}


def _timed(url: str, send: Callable[[httpx.Client], httpx.Response]) -> tuple[httpx.Response, str, bool]:
    """`send` on a client of its own while a probe searches."""
    with httpx.Client(base_url=url, timeout=120, headers={"X-API-Key": KEY}) as client, probing(url) as probe:
        response = send(client)
    meanwhile, served = probe.stop()
    return response, meanwhile, served


def post(url: str, record: dict[str, object], what: str) -> Outcome:
    response, meanwhile, served = _timed(url, lambda c: c.post("/episodes", json=record))
    passages = response.json().get("passages") if response.status_code == 201 else response.text[:80]
    return (f"POST /episodes: {what}", f"{response.status_code}, passages {passages}; {meanwhile}",
            response.status_code == 201 and served)


def ask(url: str, question: str, episode: str) -> Outcome:
    body = {"question": question, "filters": {"episode": episode}}
    response, meanwhile, served = _timed(url, lambda c: c.post("/ask", json=body))
    return (f"POST /ask {question!r} over {episode}", f"{response.status_code}; {meanwhile}",
            response.status_code == 200 and served)


def search_repeated(url: str) -> Outcome:
    with httpx.Client(base_url=url, timeout=120) as client:
        response = client.get("/search", params={"q": "zyzzyva", "mode": "keyword", "k": 10})
    hits = len(response.json().get("hits", [])) if response.status_code == 200 else 0
    return "GET /search?q=zyzzyva&mode=keyword", f"{response.status_code}, {hits} hits", response.status_code == 200


def huge_time(url: str) -> Outcome:
    record = attack_episode("attack-time", transcript=[{"start": 0, "end": 1e306, "speaker": "A", "text": "Far."}])
    with httpx.Client(base_url=url, timeout=60, headers={"X-API-Key": KEY}) as client:
        posted = client.post("/episodes", json=record)
        after = client.get("/search", params={"q": "privacy", "k": 10}).status_code
    detail = posted.json().get("detail", "") if posted.status_code == 422 else posted.text
    if isinstance(detail, list):  # validation errors: [{"loc", "msg"}, ...]
        detail = "; ".join(str(d.get("msg", d)) for d in detail)
    return ('POST /episodes, a segment with "end": 1e306, then a search',
            f"{posted.status_code} ({str(detail)[:70]}); search after: {after}",
            posted.status_code == 422 and "end" in str(detail) and after == 200)


def forwarded(url: str, tries: int = 30, write_limit: int = 10) -> Outcome:
    """Wrong-key DELETEs, each naming another client in X-Forwarded-For, from an address nothing else used."""
    transport = httpx.HTTPTransport(local_address="127.0.0.9")
    statuses = []
    with httpx.Client(base_url=url, timeout=30, transport=transport) as client:
        for i in range(tries):
            statuses.append(client.delete("/episodes/attack-none", headers={
                "X-API-Key": "wrong", "X-Forwarded-For": f"203.0.113.{i + 1}"}).status_code)
    first = statuses.index(429) + 1 if 429 in statuses else None
    counts = ", ".join(f"{statuses.count(s)}x {s}" for s in sorted(set(statuses)))
    return (f"{tries} DELETEs, wrong key, X-Forwarded-For rotating", f"{counts}; first 429 at request {first}",
            first is not None and first <= write_limit + 1)
