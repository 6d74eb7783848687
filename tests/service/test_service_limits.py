"""The service's limits and walls: rate limits per client (429 + Retry-After), body caps (413), parameter bounds,
CORS closed by default, and the security headers on every kind of answer, refusals included."""

from __future__ import annotations

import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.errors import PodqueryError
from service import ServiceConfig, create_app
from service.middleware.ratelimit import client_key, request_class
from service.middleware.security import SECURITY_HEADERS

STATIC = Path(__file__).resolve().parents[2] / "service" / "static"


def _app(index, embedder, **config):
    return create_app(ServiceConfig(index=index, **config), embedder=embedder)


def _secured(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, (response.status_code, name)


def test_reads_past_the_limit_get_429_with_retry_after_and_probes_still_answer(service_index, real_embedder):
    with TestClient(_app(service_index, real_embedder, rate_limit="3/minute")) as client:
        assert [client.get("/search", params={"q": "lava"}).status_code for _ in range(3)] == [200] * 3
        refused = client.get("/podcasts")  # one count per client across every read route
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "3 per 1 minute" in refused.json()["detail"]
        _secured(refused)
        assert all(client.get(path).status_code == 200 for path in ("/health", "/metrics") * 5)  # exempt
        assert 'route="unmatched",status="429"' in client.get("/metrics").text


def test_each_client_address_has_its_own_count(service_index, real_embedder):
    app = _app(service_index, real_embedder, rate_limit="2/minute")
    with TestClient(app, client=("10.0.0.1", 5000)) as first:
        second = TestClient(app, client=("10.0.0.2", 5000))
        assert [first.get("/podcasts").status_code for _ in range(3)] == [200, 200, 429]
        assert [second.get("/podcasts").status_code for _ in range(3)] == [200, 200, 429]
        same_64 = TestClient(app, client=("2001:db8:1:2::bad", 5000)), TestClient(app, client=("2001:db8:1:2::f00", 1))
        assert [c.get("/podcasts").status_code for c in same_64 * 2] == [200, 200, 429, 429]
    assert client_key("::ffff:10.0.0.1") == "10.0.0.1" and client_key("2001:db8::1") == "2001:db8::/64"


def test_the_limit_lifts_after_retry_after(service_index, real_embedder):
    with TestClient(_app(service_index, real_embedder, rate_limit="2/2second")) as client:
        assert [client.get("/podcasts").status_code for _ in range(3)] == [200, 200, 429]
        time.sleep(int(client.get("/podcasts").headers["Retry-After"]) + 0.05)
        assert client.get("/podcasts").status_code == 200


def test_writes_have_a_stricter_limit_of_their_own(service_index, real_embedder):
    app = _app(service_index, real_embedder, rate_limit="100/minute", write_rate_limit="2/minute")
    with TestClient(app) as client:
        # no API key: refused with 403, but each attempt still counts (key guessing is throttled too)
        assert [client.delete("/episodes/x").status_code for _ in range(2)] == [403, 403]
        assert client.post("/episodes", json={}).status_code == 429
        assert client.get("/episodes/enclave").status_code == 200  # reads keep their own budget
    assert request_class("GET", "/episodes/x") == "read" and request_class("POST", "/search") == "read"
    assert request_class("GET", "/health") is None and request_class("DELETE", "/episodes/x") == "write"


def test_off_and_bad_limit_settings(service_index, real_embedder):
    with TestClient(_app(service_index, real_embedder, rate_limit="off")) as client:
        assert {client.get("/podcasts").status_code for _ in range(150)} == {200}
    config = ServiceConfig.from_env({"PODQUERY_RATE_LIMIT": "10/second;500/hour", "PODQUERY_WRITE_RATE_LIMIT": "off"})
    assert (config.rate_limit, config.write_rate_limit) == ("10/second;500/hour", "off")
    assert ServiceConfig.from_env({}).rate_limit == "120/minute"
    with pytest.raises(PodqueryError, match="PODQUERY_RATE_LIMIT must be like"):
        ServiceConfig.from_env({"PODQUERY_RATE_LIMIT": "lots"})
    with pytest.raises(PodqueryError, match="PODQUERY_MAX_BODY_BYTES"):
        ServiceConfig.from_env({"PODQUERY_MAX_BODY_BYTES": "-1"})


def test_bodies_over_the_cap_are_413_on_any_route(service_index, real_embedder):
    def chunks(n: int):
        for _ in range(n):
            yield b"x" * 100  # no Content-Length: counted as read

    with TestClient(_app(service_index, real_embedder, rate_limit="off", max_body_bytes=1000,
                         api_key="k")) as client:
        for response in (client.request("GET", "/health", content=b"x" * 1001),
                         client.request("GET", "/search?q=lava", content=b"x" * 5000),
                         client.post("/episodes", content=b"x" * 1001, headers={"X-API-Key": "k"}),
                         client.post("/episodes", content=chunks(20), headers={"X-API-Key": "k"}),
                         client.post("/nowhere", content=b"x" * 2000)):
            assert response.status_code == 413, response.text
            assert "1000 byte limit" in response.json()["detail"]
            _secured(response)
        assert client.request("GET", "/health", content=b"x" * 1000).status_code == 200


@pytest.mark.parametrize("params, field", [
    ({"q": "a" * 1001}, "q"), ({"q": "x", "k": 0}, "k"), ({"q": "x", "k": 101}, "k"),
    ({"q": "x", "offset": 1001}, "offset"), ({"q": "x", "offset": 10**30}, "offset"),
])
def test_search_parameter_bounds(service_index, real_embedder, params, field):
    with TestClient(_app(service_index, real_embedder, rate_limit="off")) as client:
        response = client.get("/search", params=params)
        assert response.status_code == 422 and any(field in e["loc"] for e in response.json()["detail"])
        _secured(response)


def test_huge_episode_offsets_and_surrogates_in_a_posted_record_are_422_not_500(index_copy_factory, real_embedder):
    with TestClient(_app(index_copy_factory(), real_embedder, rate_limit="off", api_key="k")) as client:
        assert client.get("/episodes", params={"offset": 10**20}).status_code == 422  # was OverflowError, a 500
        assert client.get("/episodes", params={"offset": 1_000_000}).json()["episodes"] == []
        body = b'{"id": "s", "title": "bad \\ud800 title"}'  # was a UnicodeEncodeError writing the index
        headers = {"X-API-Key": "k", "content-type": "application/json"}
        response = client.post("/episodes", content=body, headers=headers)
        assert response.status_code == 422 and "field title" in response.text


@pytest.fixture()
def index_copy_factory(service_index, tmp_path):
    import shutil

    return lambda: Path(shutil.copytree(service_index, tmp_path / "index"))


def test_cors_closed_by_default_open_only_to_configured_origins(service_index, real_embedder):
    asked = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"}
    with TestClient(_app(service_index, real_embedder, rate_limit="off")) as client:
        for response in (client.get("/search", params={"q": "lava"}, headers=asked),
                         client.options("/search", headers=asked)):
            assert "access-control-allow-origin" not in response.headers
    config = ServiceConfig.from_env({"PODQUERY_CORS_ORIGINS": "https://ok.example"}).with_overrides(
        index=service_index, rate_limit="off")
    with TestClient(create_app(config, embedder=real_embedder)) as client:
        ok = {**asked, "Origin": "https://ok.example"}
        assert client.options("/search", headers=ok).headers["access-control-allow-origin"] == "https://ok.example"
        assert client.get("/health", headers=ok).headers["access-control-allow-origin"] == "https://ok.example"
        assert "access-control-allow-origin" not in client.get("/health", headers=asked).headers


class _Markup(HTMLParser):
    """Inline script bodies and on* attributes in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inline += [f"<{tag} {name}=>" for name, _ in attrs if name.startswith("on")]
        self.in_script = tag == "script"
        if tag == "script" and not dict(attrs).get("src"):
            self.inline.append("<script> without src")

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.inline.append(f"<script>{data.strip()[:40]}")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False


@pytest.mark.parametrize("page", sorted(p.name for p in STATIC.glob("*.html")))
def test_pages_have_no_inline_script_or_handlers(page):
    parser = _Markup()
    parser.feed((STATIC / page).read_text(encoding="utf-8"))
    assert parser.inline == []


def test_csp_on_page_static_api_and_every_error(service_index, real_embedder):
    with TestClient(_app(service_index, real_embedder, rate_limit="off", max_body_bytes=10)) as client:
        answers = [client.get("/"), client.get("/static/app.js"), client.get("/search?q=x"),
                   client.request("GET", "/health", content=b"x" * 11), client.get("/nowhere"), client.put("/health"),
                   client.get("/search?k=0")]
    with TestClient(_app(service_index, real_embedder, rate_limit="1/minute")) as client:
        answers += [client.get("/podcasts"), client.get("/podcasts")]
    assert [r.status_code for r in answers] == [200, 200, 200, 413, 404, 405, 422, 200, 429]
    for response in answers:
        _secured(response)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
