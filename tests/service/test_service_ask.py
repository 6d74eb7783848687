"""`POST /ask` through the real app: TestClient for shapes, validation and streaming, and `httpx` against a real
uvicorn server to see the event stream arrive piece by piece. The model is tests/llm_server.py, a stand-in
that speaks the OpenAI chat-completions protocol (not a real model)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from llm_server import chat_server
from service_support import free_port

from indexer.answer.citations import NOT_FOUND
from indexer.answer.generative import FALLBACK_WARNING
from indexer.settings import Settings
from service import ServiceConfig, create_app

QUESTION = "What do secure enclaves let a cloud do with your code?"
ENCLAVE_QUOTE = "Secure enclaves let a cloud run your code on data it can never read."
CITATION_FIELDS = {"n", "passage_id", "quote", "start_s", "timestamp", "link", "episode", "chapter", "kind"}


def _client(index, embedder, **settings):
    return TestClient(create_app(ServiceConfig(index=index, settings=replace(Settings(), **settings)),
                                 embedder=embedder))


@pytest.fixture(scope="module")
def client(service_index, real_embedder):
    with _client(service_index, real_embedder) as c:
        yield c


@pytest.fixture(scope="module")
def llm_client(service_index, real_embedder, chat):
    with _client(service_index, real_embedder, llm_url=chat.url, llm_model="quote") as c:
        yield c


def events(text: str) -> list[tuple[str, dict]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_ask_returns_the_answer_with_verified_citations(client):
    response = client.post("/ask", json={"question": QUESTION, "k": 4})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["found"] and data["answerer"] == "extractive" and data["warnings"] == []
    assert data["answer"] == data["citations"][0]["quote"] == ENCLAVE_QUOTE
    first = data["citations"][0]
    assert set(first) == CITATION_FIELDS
    assert (first["n"], first["start_s"], first["timestamp"]) == (1, 30.0, "0:30")
    assert first["link"] == "https://example.com/enclave.mp3#t=30"
    assert first["episode"]["id"] == "enclave" and first["chapter"]["title"] == "Secure Enclaves"
    assert len(data["passages"]) == 4 and "marks" not in data["passages"][0]
    assert data["passages"][0]["episode"]["id"] == "enclave" and data["took_ms"] > 0
    assert data["dropped_citations"] == 0 and data["score"] > 0.38


def test_filters_and_not_found(client):
    data = client.post("/ask", json={"question": QUESTION, "filters": {"podcast": "Garden Hour"}}).json()
    assert {p["episode"]["podcast"] for p in data["passages"]} == {"Garden Hour"}
    assert all(c["episode"]["podcast"] == "Garden Hour" for c in data["citations"])
    data = client.post("/ask", json={"question": "Who won the 1998 football world cup?"}).json()
    assert not data["found"] and data["answer"] == NOT_FOUND and data["citations"] == [] and data["passages"]


@pytest.mark.parametrize("body, where", [
    ({"question": ""}, ["body", "question"]),
    ({"question": "   "}, ["body", "question"]),
    ({"question": "x" * 1001}, ["body", "question"]),
    ({"question": "why", "k": 0}, ["body", "k"]),
    ({"question": "why", "k": 21}, ["body", "k"]),
    ({"question": "why", "filters": {"after": "2024-02-30"}}, ["body", "filters", "after"]),
    ({"question": "why", "filters": {"kind": "song"}}, ["body", "filters", "kind"]),
    ({"question": "why", "filters": {"after": "2025-01-01", "before": "2024-01-01"}}, ["body", "filters"]),
    ({"question": "why", "filter": {"podcast": "x"}}, ["body", "filter"]),
    ({}, ["body", "question"]),
])
def test_bad_requests_are_422_naming_the_field(client, body, where):
    response = client.post("/ask", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == where


def test_ask_is_in_the_openapi_schema(client):
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/ask"]["post"]
    assert [p["name"] for p in post["parameters"]] == ["stream"]
    assert "text/event-stream" in post["responses"]["200"]["content"]
    assert set(spec["components"]["schemas"]["CitationOut"]["properties"]) == CITATION_FIELDS


def test_stream_without_a_model_sends_only_the_answer(client):
    response = client.post("/ask", params={"stream": "true"}, json={"question": QUESTION, "k": 4})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    [(kind, data)] = events(response.text)
    assert kind == "answer" and data == {**client.post("/ask", json={"question": QUESTION, "k": 4}).json(),
                                         "took_ms": data["took_ms"]}


def test_stream_validation_errors_are_plain_422s(client):
    response = client.post("/ask", params={"stream": "true"}, json={"question": " "})
    assert response.status_code == 422 and response.headers["content-type"] == "application/json"


def test_llm_answer_over_http(llm_client):
    data = llm_client.post("/ask", json={"question": QUESTION, "k": 4}).json()
    assert data["answerer"] == "llm" and data["found"] and data["warnings"] == []
    assert data["answer"].startswith("The passages say so.")
    [citation] = data["citations"]
    assert citation["quote"] == ENCLAVE_QUOTE and citation["start_s"] == 30.0
    assert data["passages"][citation["n"] - 1]["id"] == citation["passage_id"]


def test_llm_stream_sends_tokens_then_the_answer(llm_client):
    response = llm_client.post("/ask?stream=true", json={"question": QUESTION, "k": 4})
    got = events(response.text)
    kinds = [kind for kind, _ in got]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"} and len(kinds) > 5
    answer = got[-1][1]
    assert "".join(d["text"] for _, d in got[:-1]) == answer["answer"]
    assert answer["answerer"] == "llm" and answer["citations"][0]["quote"] == ENCLAVE_QUOTE


def test_an_unreachable_model_answers_extractively_with_a_warning(service_index, real_embedder):
    dead = f"http://127.0.0.1:{free_port()}/v1"
    with _client(service_index, real_embedder, llm_url=dead, llm_timeout=2.0) as c:
        response = c.post("/ask", json={"question": QUESTION, "k": 4})
        assert response.status_code == 200
        data = response.json()
        assert data["answerer"] == "extractive" and data["warnings"] == [FALLBACK_WARNING]
        assert data["found"] and dead not in response.text  # where the model lives stays in the server log
        [(kind, streamed)] = events(c.post("/ask?stream=true", json={"question": QUESTION, "k": 4}).text)
        assert kind == "answer" and streamed["warnings"] == [FALLBACK_WARNING]


def test_stream_arrives_piece_by_piece_from_a_real_server(service_index, real_embedder):
    """uvicorn in a thread, `httpx` reading the stream: the first token comes well before the answer, so the
    events are not buffered anywhere between the model and the client."""
    with chat_server(chunk_delay=0.04) as slow_chat:
        app = create_app(ServiceConfig(index=service_index, settings=replace(
            Settings(), llm_url=slow_chat.url, llm_model="quote")), embedder=real_embedder)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 60
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.05)
            arrivals: list[tuple[str, float]] = []
            body = []
            with httpx.stream("POST", f"http://127.0.0.1:{port}/ask", params={"stream": "true"},
                              json={"question": QUESTION, "k": 4}, timeout=30) as response:
                assert response.status_code == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                assert response.headers["x-content-type-options"] == "nosniff"  # middleware still applies
                for line in response.iter_lines():
                    body.append(line)
                    if line.startswith("event: "):
                        arrivals.append((line[7:], time.monotonic()))
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    kinds = [kind for kind, _ in arrivals]
    assert kinds[-1] == "answer" and kinds.count("token") > 5
    first_token = next(t for kind, t in arrivals if kind == "token")
    assert arrivals[-1][1] - first_token > 0.2  # ~15 chunks 40 ms apart: seen as they came
    answer = events("\n".join(body))[-1][1]
    assert answer["found"] and answer["citations"][0]["quote"] == ENCLAVE_QUOTE


def test_the_ask_page_scripts_write_no_markup(client):
    html = client.get("/").text
    assert 'id="panel-ask"' in html and 'id="ask-q"' in html and "disabled" not in html
    for name in ("ask.js", "api.js", "app.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] in {"text/javascript", "application/javascript"}
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in response.text, (name, sink)
