"""What the service must not leak (issue 14): handles on replaced generations (defect 8), server paths in what
clients read, and request bodies that a proxy and the server could frame differently (smuggling). Also the
OpenAPI schema's 429 and date formats."""

from __future__ import annotations

import asyncio
import gc
import os
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_support import serve_in_thread, service_sources
from support import FakeEmbedder, sqlite_handles

from indexer.index.manifest import Manifest
from indexer.index.updates import build_sources
from indexer.settings import Settings
from service.app import create_app
from service.config import ServiceConfig
from service.routes import ask

KEY = "leak-test-key"
WRITES = 15


@pytest.fixture()
def fake_index(tmp_path) -> Path:
    """The service's eight test episodes, embedded by the hashed bag of words (no model needed)."""
    path = tmp_path / "index"
    build_sources(service_sources(), path, Settings(), FakeEmbedder())
    return path


def _client(index: Path, **kw) -> TestClient:
    config = ServiceConfig(index=index, api_key=KEY, reload_interval=0.0, rate_limit="off", write_rate_limit="off",
                           **kw)
    return TestClient(create_app(config, embedder=FakeEmbedder()))


def _record(n: int) -> dict:
    return {"id": f"posted-{n}", "podcast": "Posted Pod", "title": f"Narwhals {n}", "published": "2026-01-05",
            "duration_s": 60, "transcript": [{"start": 0, "end": 60, "speaker": "Ann",
                                              "text": f"Narwhal tusks number {n} are long spiral teeth."}]}


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts handles through /proc")
def test_writes_over_http_leave_no_handles_on_replaced_generations(fake_index):
    gc.collect()
    gc.disable()  # handles must close because the service closes them, not because a collection ran
    try:
        with _client(fake_index) as client:
            worst = 0
            for n in range(WRITES):
                assert client.post("/episodes", json=_record(n), headers={"X-API-Key": KEY}).status_code == 201
                hits = client.get("/search", params={"q": f"narwhal tusks number {n}", "mode": "keyword"}).json()
                assert hits["hits"][0]["episode"]["id"] == f"posted-{n}"
                streamed = client.post("/ask", params={"stream": "true"}, json={"question": "narwhal tusks"})
                assert streamed.status_code == 200 and "event: answer" in streamed.text
                assert client.get("/episodes/enclave").status_code == 200
                worst = max(worst, sqlite_handles()[1])
            assert worst <= 2, f"{worst} handles on deleted passages.sqlite files"
            assert sqlite_handles()[1] == 0
            assert client.get("/health").json()["counts"]["episodes"] == 8 + WRITES
    finally:
        gc.enable()


def test_a_streamed_answer_keeps_its_generation_until_the_stream_ends(fake_index, monkeypatch):
    order: list[str] = []
    events = ask._events

    def watched(*args, **kwargs):
        try:
            yield from events(*args, **kwargs)
        finally:
            order.append("stream ended")

    monkeypatch.setattr(ask, "_events", watched)
    with _client(fake_index) as client:
        live = client.app.state.resources.live
        release = live.release

        def spy(searcher):
            order.append("released")
            release(searcher)

        monkeypatch.setattr(live, "release", spy)
        response = client.post("/ask", params={"stream": "true"}, json={"question": "secure enclaves"})
        assert response.status_code == 200 and "event: answer" in response.text
    assert order == ["stream ended", "released"]


def _no_path(text: str, *paths: Path) -> bool:
    return not any(spelling in text for path in paths for spelling in {str(path), str(path.resolve())})


def test_clients_never_read_the_index_path(fake_index, tmp_path):
    with _client(fake_index) as client:
        for response in (client.delete("/episodes/nope", headers={"X-API-Key": KEY}), client.get("/episodes/nope")):
            assert response.status_code == 404 and "'nope'" in response.json()["detail"]
            assert _no_path(response.text, fake_index, tmp_path), response.text
        health = client.get("/health")
        assert health.status_code == 200 and _no_path(health.text, fake_index, tmp_path)
    missing = tmp_path / "missing"
    damaged = fake_index  # its current generation loses its database
    (damaged / Manifest.read(damaged).generation / "passages.sqlite").unlink()
    for index, says in ((missing, "not a podquery index"), (damaged, "passages.sqlite is missing")):
        with _client(index) as client:
            for response in (client.get("/health"), client.get("/search", params={"q": "x"})):
                assert response.status_code == 503 and says in response.text, response.text
                assert _no_path(response.text, index, tmp_path), response.text


def _asgi_status(app, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """Call the app with one request as a server would, without one (no lifespan: the check comes first)."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/ask", "raw_path": b"/ask", "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000)}
    asyncio.run(app(scope, receive, send))
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def test_a_request_with_both_framing_headers_is_refused(tmp_path):
    app = create_app(ServiceConfig(index=tmp_path / "missing"), embedder=FakeEmbedder())
    body = b'{"question": "x"}'
    both = [(b"host", b"t"), (b"content-length", str(len(body)).encode()), (b"transfer-encoding", b"chunked")]
    assert _asgi_status(app, both, body) == 400
    one = [(b"host", b"t"), (b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    assert _asgi_status(app, one, body) == 503  # framed once: it reaches the route (no index loaded here)
    with serve_in_thread(app) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            conn.sendall(b"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 4\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            reply = b""
            while chunk := conn.recv(65536):  # the server closes the connection after its 400
                reply += chunk
    text = reply.decode("latin-1")
    assert text.startswith("HTTP/1.1 400") and "both Content-Length and Transfer-Encoding" in text, text[:300]
    assert text.count("HTTP/1.1") == 1  # the request hidden in the body was never answered


def test_openapi_documents_the_rate_limit_and_dates(tmp_path):
    spec = create_app(ServiceConfig(index=tmp_path / "missing")).openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path in ("/health", "/metrics"):  # exempt from the limit
                assert "429" not in operation["responses"]
                continue
            limited = operation["responses"].get("429")
            assert limited and "Retry-After" in limited["headers"], (method, path)
    params = {p["name"]: p["schema"] for p in spec["paths"]["/search"]["get"]["parameters"]}
    filters = spec["components"]["schemas"]["AskFilters"]["properties"]
    for schema in (params["after"], params["before"], filters["after"], filters["before"]):
        assert {"type": "string", "format": "date"} in schema["anyOf"]
