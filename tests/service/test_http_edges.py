"""The HTTP edges issue 14 found rough: `OPTIONS` and 405s that named only some of a path's methods, JSON bodies
refused in Python's words ("sys.set_int_max_str_digits", "maximum recursion depth") or with a 500, and an OpenAPI
schema without `POST /episodes`'s body and with the streamed answer typed as a string."""

from __future__ import annotations

import shutil
import sys

import pytest
from fastapi.testclient import TestClient

from service import ServiceConfig, create_app

KEY = "edge-key"
DIGITS = sys.get_int_max_str_digits()  # Python's limit (4300 unless configured)
PYTHON_WORDS = ("sys.", "set_int_max_str_digits", "recursion", "Traceback", "There was an error parsing the body")


@pytest.fixture(scope="module")
def client(service_index, real_embedder, tmp_path_factory):
    index = tmp_path_factory.mktemp("edges") / "index"
    shutil.copytree(service_index, index)  # POST /episodes writes to it
    config = ServiceConfig(index=index, api_key=KEY, rate_limit="off", write_rate_limit="off", reload_interval=0.0)
    with TestClient(create_app(config, embedder=real_embedder), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def spec(client):
    return client.get("/openapi.json").json()


def _methods(header: str) -> set[str]:
    return {m.strip() for m in header.split(",")}


def test_options_lists_every_method_each_path_supports(client, spec):
    for path, item in spec["paths"].items():
        for concrete in {path.replace("{episode_id}", eid) for eid in ("enclave", "https://example.com/guid/42")}:
            response = client.options(concrete)
            assert response.status_code == 204, (concrete, response.text)
            assert _methods(response.headers["Allow"]) == {m.upper() for m in item} | {"OPTIONS"}, concrete


@pytest.mark.parametrize("method, path, allowed", [
    ("PUT", "/episodes", {"GET", "POST", "OPTIONS"}),  # two routes share the path: both count
    ("PATCH", "/episodes/enclave", {"GET", "DELETE", "OPTIONS"}),
    ("DELETE", "/search", {"GET", "OPTIONS"}),
    ("GET", "/ask", {"POST", "OPTIONS"}),
])
def test_an_unsupported_method_is_a_405_naming_all_the_others(client, method, path, allowed):
    response = client.request(method, path)
    assert response.status_code == 405
    assert _methods(response.headers["Allow"]) == allowed
    assert method in response.json()["detail"]
    assert client.options("/nowhere").status_code == 404


@pytest.mark.parametrize("body, problem", [
    (b'{"question": "lava", "k": ' + b"9" * 5000 + b"}", f"a number has more than {DIGITS} digits"),
    (b'{"question": "lava", "filters": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
     "arrays or objects are nested too deeply"),
    (b'{"question": "lava \xff"}', "it is not UTF-8 text"),
])
@pytest.mark.parametrize("path", ["/ask", "/episodes"])
def test_json_python_cannot_read_is_a_422_saying_why_in_the_clients_terms(client, path, body, problem):
    if path == "/episodes":
        body = body.replace(b'"question"', b'"id": "x", "title"')
    response = client.post(path, content=body, headers={"Content-Type": "application/json", "X-API-Key": KEY})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["type"] == "json_invalid" and error["msg"] == f"the body is not valid JSON: {problem}", error
    assert not any(word in response.text for word in PYTHON_WORDS), response.text


def test_a_value_nested_hundreds_deep_is_echoed_cut_short_not_a_500(client):
    """Python reads 900 levels, but echoing them back in the 422 overflowed the encoder's stack."""
    body = b'{"question": "lava", "filters": ' + b"[" * 900 + b"]" * 900 + b"}"
    response = client.post("/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "filters"] and "…" in str(error["input"]) and len(response.text) < 1000


def test_a_body_without_a_json_content_type_says_what_to_send(client):
    response = client.post("/ask", content=b'{"question": "lava"}', headers={"Content-Type": "text/plain"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "the body must be a JSON object, sent with Content-Type: " \
                                                  "application/json"


def test_post_episodes_documents_the_record_it_takes(client, spec):
    body = spec["paths"]["/episodes"]["post"]["requestBody"]
    assert body["required"] and body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EpisodeRecordIn"}
    record = spec["components"]["schemas"]["EpisodeRecordIn"]
    assert record["required"] == ["title"] and not record["additionalProperties"]
    assert {"id", "guid", "title", "published", "duration_s", "chapters", "transcript"} <= set(record["properties"])
    auth = {"X-API-Key": KEY}
    created = client.post("/episodes", json=record["examples"][0], headers=auth)  # the schema's own example
    assert created.status_code == 201, created.text
    assert client.get("/episodes/ep-042").json()["chapters"][1]["start_s"] == 750.0  # "12:30"
    # JSON has one kind of number: 42.0 is the integer id 42 the schema allows
    assert client.post("/episodes", json={"id": 42.0, "title": "Answer"}, headers=auth).json()["episode_id"] == "42"
    refused = client.post("/episodes", json={"id": "x", "title": "T", "colour": "red"}, headers=auth)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "colour"]
    # the library's own reading still comes first, naming the field as it always has
    late = client.post("/episodes", json={"id": "x", "title": "T", "duration_s": "9:99:99"}, headers=auth)
    assert late.status_code == 422 and "field duration_s" in late.text


def test_the_streamed_answer_is_documented_as_server_sent_events(client, spec):
    ok = spec["paths"]["/ask"]["post"]["responses"]["200"]["content"]
    events = ok["text/event-stream"]["schema"]["oneOf"]
    documented = {event["properties"]["event"]["const"]: event["properties"]["data"] for event in events}
    assert set(documented) == {"token", "answer", "error"}
    assert documented["answer"]["contentSchema"] == ok["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AnswerOut"}
    streamed = client.post("/ask", params={"stream": "true"}, json={"question": "secure enclaves"})
    sent = [line.removeprefix("event: ") for line in streamed.text.splitlines() if line.startswith("event: ")]
    assert sent == ["answer"] and set(sent) <= set(documented)
