"""Fuzzing the HTTP API: whatever is typed or posted, the answer is data or a 4xx naming the field, never a 500,
and a filtered request never returns another episode's or podcast's passages.

Through TestClient with the real model over the shared service index; the parameters mix valid values, FTS5
syntax (`"`, `*`, `NEAR(`, `OR`, `-`, `:`), control characters, NUL bytes, huge numbers and junk.
`PODQUERY_FUZZ_EXAMPLES` (300 by default) sets examples per property, /ask gets a sixth of them (an answer reads
and scores passages: ~0.5 s each).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_fuzz_parsers import EXAMPLES

from service import ServiceConfig, create_app

FTS_SYNTAX = ['"', '""', "*", "NEAR(a b)", "OR", "AND", "NOT", "-", "^", ":", "col:x", "(", ")", "{a b}", "'",
              "\x00", "\x1b[31m", "%", "%00", "\\", "\u202e", "<script>alert(1)</script>", "🎙️", "a" * 600]
EPISODES = ["enclave", "bread", "running", "jazz", "volcano", "https://example.com/guid/42", "nope"]
PODCASTS = ["AI Talk", "ai talk", "Evil <b>Pod</b>", "Nobody's Pod"]
words = st.one_of(st.text(max_size=40), st.sampled_from(FTS_SYNTAX))
query = st.lists(st.one_of(words, st.sampled_from(["secure enclaves", "bread", "lava", "quokka"])), min_size=1,
                 max_size=4).map(" ".join)
number = st.one_of(st.integers(-10, 60).map(str), st.integers(-10**30, 10**30).map(str),
                   st.sampled_from(["1e3", "nan", "inf", "", " 5", "0x10", "٣", "5.0", "1_0"]))
day = st.one_of(st.dates().map(str), st.sampled_from(["2025-02-30", "2025-13-01", "0000-00-00", "yesterday", ""]))


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


search_params = st.fixed_dictionaries({"q": query}, optional={
    "k": number, "offset": number, "mode": st.one_of(st.sampled_from(["hybrid", "keyword", "semantic"]), words),
    "kind": st.one_of(st.sampled_from(["transcript", "summary", "highlight", "chapter"]), words),
    "episode": st.one_of(st.sampled_from(EPISODES), words), "podcast": st.one_of(st.sampled_from(PODCASTS), words),
    "speaker": words, "after": day, "before": day, "group_by_episode": st.sampled_from(["true", "0", "maybe"]),
})
fuzz = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def client(service_index, real_embedder):
    app = create_app(ServiceConfig(index=service_index, rate_limit="off"), embedder=real_embedder)
    with TestClient(app, raise_server_exceptions=False) as c:  # a crash must show as the 500 a client would get
        yield c


def _refused_with_a_reason(response: Any) -> None:
    assert response.status_code in (404, 422), (response.status_code, response.text)
    detail = response.json()["detail"]
    assert detail and "Traceback" not in str(detail)


def _within_filters(hits: list[dict[str, Any]], params: dict[str, Any]) -> None:
    for hit in hits:
        if params.get("episode", "").strip():
            assert hit["episode"]["id"] == params["episode"], (params, hit["episode"])
        if params.get("podcast", "").strip():
            assert hit["episode"]["podcast"].lower() == params["podcast"].lower(), (params, hit["episode"])
        if params.get("kind", "").strip():
            assert hit["kind"] == params["kind"]


@fuzz
@given(params=search_params)
def test_search_answers_or_names_the_field_and_keeps_to_its_filters(client, params: dict[str, Any]) -> None:
    response = client.get("/search", params=params)
    event(f"status {response.status_code}")
    if response.status_code != 200:
        _refused_with_a_reason(response)
        return
    data = response.json()
    assert len(data["hits"]) <= data["k"]
    _within_filters(data["hits"], params)


@fuzz
@given(episode_id=st.one_of(st.sampled_from(EPISODES), words), limit=maybe(number), offset=maybe(number),
       podcast=maybe(st.one_of(st.sampled_from(PODCASTS), words)))
def test_episode_routes_answer_only_for_the_episode_asked(client, episode_id: str, limit: str | None,
                                                          offset: str | None, podcast: str | None) -> None:
    # every character escaped, dots too: a client would otherwise resolve `/episodes/..` before sending it
    response = client.get("/episodes/" + quote(episode_id, safe="").replace(".", "%2E"))
    if response.status_code == 200:
        assert response.json()["id"] == episode_id
    else:
        _refused_with_a_reason(response)
    params = {k: v for k, v in {"limit": limit, "offset": offset, "podcast": podcast}.items() if v is not None}
    listing = client.get("/episodes", params=params)
    if listing.status_code != 200:
        _refused_with_a_reason(listing)
    elif podcast and podcast.strip():
        assert all(e["podcast"].lower() == podcast.lower() for e in listing.json()["episodes"])


json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(), words),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
                          max_leaves=6)
ask_filters = st.fixed_dictionaries({}, optional={
    "episode": st.one_of(st.sampled_from(EPISODES), words), "podcast": st.one_of(st.sampled_from(PODCASTS), words),
    "kind": st.one_of(st.sampled_from(["transcript", "summary"]), words), "after": day, "before": day})
# mostly well-formed bodies (so answers are checked against their filters), sometimes anything at all
ask_body = st.one_of(
    st.fixed_dictionaries({"question": st.one_of(query, st.just("\ud800 lone surrogate"))},
                          optional={"k": st.one_of(st.integers(1, 20), st.integers(-5, 30), json_value,
                                                   st.sampled_from([float("nan"), float("-inf"), 1e309])),
                                    "filters": st.one_of(ask_filters, json_value)}),
    json_value.map(lambda v: {"question": "lava", "junk": v}), json_value)


good_filters = st.fixed_dictionaries({}, optional={
    "episode": st.sampled_from(EPISODES), "podcast": st.sampled_from(PODCASTS),
    "kind": st.sampled_from(["transcript", "summary", "highlight"])})
good_ask_body = st.fixed_dictionaries({"question": query, "k": st.integers(1, 20), "filters": good_filters})
ask_fuzz = settings(max_examples=max(EXAMPLES // 6, 10), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _ask(client: TestClient, body: Any) -> dict[str, Any] | None:
    """The answer, or None after checking the refusal names its field (never a 500)."""
    # json.dumps as a careless client would: lone surrogates as \ud800 escapes, NaN and Infinity bare
    response = client.post("/ask", content=json.dumps(body), headers={"Content-Type": "application/json"})
    event(f"status {response.status_code}")
    if response.status_code != 200:
        _refused_with_a_reason(response)
        return None
    data = response.json()
    _within_filters([*data["citations"], *data["passages"]], body.get("filters", {}))
    for citation in data["citations"]:
        assert citation["quote"]  # verbatim quotes only: an empty one would cite nothing
    return data


@ask_fuzz
@given(body=ask_body)
def test_ask_answers_or_names_the_field(client, body: Any) -> None:
    _ask(client, body)


@ask_fuzz
@given(body=good_ask_body)
def test_ask_cites_only_the_episodes_its_filters_allow(client, body: dict[str, Any]) -> None:
    _ask(client, body)


@pytest.mark.parametrize("body, field, echoed", [
    ('{"question": "\\ud800 alone"}', "question", "\ufffd"),  # a lone surrogate, as JSON spells it
    ('{"question": "lava", "k": NaN}', "k", "nan"),  # Python's json accepts NaN and Infinity
    ('{"question": "lava", "k": -Infinity}', "k", "-inf"),
    ('{"question": "%s"}' % ("y" * 50_000), "question", "y" * 200 + "…"),  # not 50 KB sent back
])
def test_a_rejected_body_is_422_naming_the_field_and_echoing_it_safely(client, body: str, field: str,
                                                                         echoed: str) -> None:
    response = client.post("/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", field] and error["msg"]
    assert echoed in error["input"] and len(error["input"]) <= 201
