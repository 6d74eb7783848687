"""Adding and removing episodes over HTTP and from the CLI while the service runs: API key, limits, hot reload."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import httpx
import pytest
from conftest import REPO
from fastapi.testclient import TestClient
from service_support import start_server

from service.app import create_app
from service.config import ServiceConfig

KEY = "s3cret-key"
RECORD = {
    "id": "posted-1", "podcast": "Posted Pod", "title": "Narwhals of the Arctic", "published": "2026-01-05",
    "duration_s": 120, "audio_url": "https://example.com/narwhal.mp3",
    "chapters": [{"start": 0, "title": "Tusks"}, {"start": 60, "title": "Migration"}],
    "transcript": [
        {"start": 0, "end": 30, "speaker": "Ann", "text": "Narwhal tusks are long spiral teeth full of nerves."},
        {"start": 30, "end": 60, "speaker": "Bo", "text": "They sense salinity changes in the water with them."},
        {"start": 60, "end": 120, "speaker": "Ann", "text": "Each autumn the pods migrate south ahead of the ice."},
    ],
}


@pytest.fixture()
def index_copy(service_index, tmp_path):
    path = tmp_path / "index"
    shutil.copytree(service_index, path)
    return path


def _client(index, embedder, key: str | None = KEY, **kw) -> TestClient:
    kw.setdefault("write_rate_limit", "off")  # test_service_limits.py tests the limits
    return TestClient(create_app(ServiceConfig(index=index, api_key=key, reload_interval=0.0, **kw),
                                 embedder=embedder))


def _ids(client: TestClient, q: str) -> set[str]:
    response = client.get("/search", params={"q": q, "k": 10, "mode": "keyword"})
    assert response.status_code == 200, response.text
    return {h["episode"]["id"] for h in response.json()["hits"]}


def test_post_replace_and_delete_an_episode(index_copy, real_embedder):
    with _client(index_copy, real_embedder) as client:
        auth = {"X-API-Key": KEY}
        created = client.post("/episodes", json=RECORD, headers=auth)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["episode_id"] == "posted-1" and body["embedded"] == body["passages"] > 0
        assert "posted-1" in _ids(client, "narwhal tusks")  # searchable as soon as the POST returns
        hit = client.get("/search", params={"q": "narwhal migrate south", "k": 1}).json()["hits"][0]
        assert hit["chapter"]["title"] == "Migration" and hit["link"].endswith("#t=60")
        # the same episode with one chapter renamed: only what changed is embedded again
        changed = {**RECORD, "chapters": [{"start": 0, "title": "Tusks"}, {"start": 60, "title": "Going south"}]}
        again = client.post("/episodes", json=changed, headers=auth).json()
        assert 0 < again["embedded"] < again["passages"]
        detail = client.get("/episodes/posted-1").json()
        assert [c["title"] for c in detail["chapters"]] == ["Tusks", "Going south"]
        gone = client.delete("/episodes/posted-1", headers=auth)
        assert gone.status_code == 200 and gone.json()["passages"] > 0
        assert "posted-1" not in _ids(client, "narwhal tusks")
        assert client.get("/episodes/posted-1").status_code == 404
        assert client.delete("/episodes/posted-1", headers=auth).status_code == 404


def test_writes_need_the_key_and_are_off_without_one(index_copy, real_embedder):
    with _client(index_copy, real_embedder) as client:
        assert client.post("/episodes", json=RECORD).status_code == 403
        assert client.post("/episodes", json=RECORD, headers={"X-API-Key": "wrong"}).status_code == 403
        assert client.delete("/episodes/enclave", headers={"X-API-Key": KEY[:-1]}).status_code == 403
        assert "enclave" in _ids(client, "secure enclaves")
    with _client(index_copy, real_embedder, key=None) as client:
        response = client.post("/episodes", json=RECORD, headers={"X-API-Key": KEY})
        assert response.status_code == 403 and "PODQUERY_API_KEY" in response.text
        assert client.delete("/episodes/enclave", headers={"X-API-Key": ""}).status_code == 403


def test_bad_bodies_are_refused_and_change_nothing(index_copy, real_embedder):
    auth = {"X-API-Key": KEY}
    with _client(index_copy, real_embedder, max_body_bytes=4000) as client:
        before = client.get("/health").json()["counts"]["passages"]
        cases = [
            (client.post("/episodes", content=b"{not json", headers={**auth, "content-type": "application/json"}),
             422, "not valid JSON"),
            (client.post("/episodes", json=[RECORD], headers=auth), 422, "JSON object"),
            (client.post("/episodes", json={**RECORD, "transcript": "/etc/passwd"}, headers=auth), 422,
             "inline"),
            (client.post("/episodes", json={**RECORD, "chapters": [{"start": "9:99:99", "title": "x"}]},
                         headers=auth), 422, "chapters[0].start"),
            (client.post("/episodes", json={**RECORD, "summary": "x" * 5000}, headers=auth), 413, "limit"),
            (client.post("/episodes", content=b"[" * 1900 + b"]" * 1900,
                         headers={**auth, "content-type": "application/json"}), 422, ""),
        ]
        for response, status, words in cases:
            assert response.status_code == status, response.text
            assert words in response.text and "Traceback" not in response.text
        assert client.get("/health").json()["counts"]["passages"] == before


def test_huge_times_and_ids_are_refused_by_field_and_search_keeps_working(index_copy, real_embedder):
    """Issue 14: `end: 1e306` once overflowed to inf and made searches answer 500; a 300,000-character id made an
    episode unremovable. Both are now 422s naming the field, and nothing reaches the index."""
    auth = {"X-API-Key": KEY}
    huge_end = [{**RECORD["transcript"][0], "end": 1e306}, *RECORD["transcript"][1:]]
    with _client(index_copy, real_embedder) as client:
        before = client.get("/health").json()["counts"]["passages"]
        cases = [
            ({**RECORD, "transcript": huge_end}, "field transcript[0].end"),
            ({**RECORD, "duration_s": 1e306}, "field duration_s"),
            ({**RECORD, "id": "x" * 300_000}, "field id"),
            ({**RECORD, "id": "line\nbreak"}, "field id"),
        ]
        for body, field in cases:
            response = client.post("/episodes", json=body, headers=auth)
            assert response.status_code == 422, response.text
            assert field in response.text and "Traceback" not in response.text
        assert client.get("/health").json()["counts"]["passages"] == before
        for mode in ("keyword", "semantic", "hybrid"):
            response = client.get("/search", params={"q": "narwhal tusks", "k": 10, "mode": mode})
            assert response.status_code == 200, response.text
            assert "posted-1" not in {h["episode"]["id"] for h in response.json()["hits"]}


def test_running_server_sees_a_cli_add_with_zero_failed_searches(index_copy, tmp_path):
    """A stream of searches against a real server while `python -m indexer add` swaps the index underneath."""
    server = start_server(index_copy, tmp_path / "server.log")
    failures: list[str] = []
    first_seen: list[float] = []
    stop = threading.Event()

    def stream() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            while not stop.is_set():
                try:
                    response = http.get("/search", params={"q": "narwhal tusks", "k": 5})
                    if response.status_code != 200:
                        failures.append(f"{response.status_code}: {response.text[:200]}")
                    elif any(h["episode"]["id"] == "posted-1" for h in response.json()["hits"]) and not first_seen:
                        first_seen.append(time.monotonic())
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))

    try:
        threads = [threading.Thread(target=stream) for _ in range(3)]
        for t in threads:
            t.start()
        record = tmp_path / "posted-1.json"
        record.write_text(__import__("json").dumps(RECORD))
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "indexer", "add", str(index_copy), str(record), "--quiet"],
                       check=True, cwd=REPO, env=env, capture_output=True, timeout=300)
        committed = time.monotonic()
        deadline = committed + 10
        while not first_seen and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        stop.set()
        server.stop()
    assert not failures, failures[:5]
    assert first_seen and first_seen[0] - committed < 3.0
