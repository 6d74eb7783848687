"""The service as it runs for people: `python -m service` in a subprocess, queried over real HTTP."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from service_support import SLASH_ID, LiveServer

from service.middleware.security import SECURITY_HEADERS

# eight questions, each with one right episode; the concurrency test checks every answer against these
QUERIES = {
    "secure enclaves": "enclave",
    "aphids on roses": "garden",
    "sourdough starter": "bread",
    "marathon training": "running",
    "saxophone solo": "jazz",
    "basalt lava": "volcano",
    "lighthouse keepers": SLASH_ID,
    "quokka": "xss",
}


@pytest.fixture(scope="module")
def server(live_server) -> LiveServer:
    return live_server


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def test_prints_the_url_it_serves_on(server: LiveServer):
    assert f"serving {server.index} on {server.url}/" in server.output()


def test_search_over_http(http, server):
    response = http.get("/search", params={"q": "secure enclaves", "k": 3})
    assert response.status_code == 200
    top = response.json()["hits"][0]
    assert top["episode"]["id"] == "enclave" and top["chapter"]["title"] == "Secure Enclaves"
    assert top["link"] == server.audio_url.format(id="enclave") + "#t=30" and top["timestamp"] == "0:30"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert http.get("/search", params={"q": "x", "k": 101}).status_code == 422
    assert http.get("/episodes/nope").status_code == 404
    assert http.get("/").headers["content-type"].startswith("text/html")


def test_search_over_the_demo_corpus(http, server):
    if not server.demo:
        pytest.skip("indexer.corpus cannot read data/practicalai yet")
    demo = server.demo[0].episode
    episode_id = demo.id
    hits = http.get("/search", params={"q": "maps from satellite imagery", "k": 5}).json()["hits"]
    assert hits and hits[0]["episode"]["id"] == episode_id and hits[0]["episode"]["podcast"] == "Practical AI"
    assert hits[0]["link"].startswith(demo.audio_url + "#t=")
    detail = http.get(f"/episodes/{episode_id}").json()  # the id holds slashes: changelog.com/7/2119
    assert detail["title"] == demo.title


def test_concurrent_searches_each_get_their_own_answer(http, server):
    """8 threads x 25 requests through the real server's threadpool; every answer must match its own query."""
    requests = [(q, mode) for q in QUERIES for mode in ("hybrid", "keyword", "semantic")]
    expected = {}
    for q, mode in requests:
        data = http.get("/search", params={"q": q, "mode": mode, "k": 5}).json()
        expected[q, mode] = [h["id"] for h in data["hits"]]
        if mode != "semantic":  # semantic ranks by meaning alone; the words pick the episode in the others
            assert data["hits"][0]["episode"]["id"] == QUERIES[q], (q, mode)

    def worker(n: int) -> list[str]:
        problems = []
        with httpx.Client(base_url=server.url, timeout=30) as c:
            for i in range(25):
                q, mode = requests[(n * 7 + i) % len(requests)]
                response = c.get("/search", params={"q": q, "mode": mode, "k": 5})
                data = response.json()
                if response.status_code != 200 or data["query"] != q or data["mode"] != mode:
                    problems.append(f"{q}/{mode}: {response.status_code} {data}")
                elif [h["id"] for h in data["hits"]] != expected[q, mode]:
                    problems.append(f"{q}/{mode}: got {[h['id'] for h in data['hits']]}")
        return problems

    before = _search_count(http)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        problems = [p for found in pool.map(worker, range(8)) for p in found]
    seconds = time.perf_counter() - started
    assert problems == []
    assert _search_count(http) - before == 200
    print(f"200 concurrent searches in {seconds:.2f}s")


def test_health_and_search_latency(http):
    assert http.get("/health").json()["counts"]["episodes"] >= 8
    timings = []
    for n in range(40):
        started = time.perf_counter()
        assert http.get("/search", params={"q": list(QUERIES)[n % 8]}).status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(f"search over HTTP: p50 {statistics.median(timings):.1f} ms, p95 {timings[int(0.95 * len(timings))]:.1f} ms")
    assert statistics.median(timings) < 1000


def _search_count(http) -> int:
    total = 0
    for line in http.get("/metrics").text.splitlines():
        if line.startswith('podquery_http_requests_total{method="GET",route="/search",status="200"}'):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total
