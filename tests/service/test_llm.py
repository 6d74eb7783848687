"""Generative answers (indexer/llm.py): reply parsing on tiny inputs, then the answerer against a server that
speaks the real OpenAI chat-completions protocol (tests/llm_server.py: a protocol-faithful stand-in, not a
model) over the small service index and the real embedding model."""

from __future__ import annotations

import json

import pytest
from llm_server import FABRICATED, passages_in
from service_support import free_port

from indexer.answer.citations import NOT_FOUND, normalise, time_at
from indexer.answer.chat import ChatClient
from indexer.answer.generative import FALLBACK_WARNING, LLMAnswerer, build_messages
from indexer.answer.quotes import REMOVED, find_quote, parse_quotes, strip_quotes
from indexer.cli import main
from indexer.errors import PodqueryError
from indexer.index.reader import Index
from indexer.search.searcher import Searcher
from indexer.settings import Settings

QUESTION = "What do secure enclaves let a cloud do with your code?"
ENCLAVE_QUOTE = "Secure enclaves let a cloud run your code on data it can never read."


@pytest.fixture(scope="module")
def searcher(service_index, real_embedder):
    return Searcher(Index.open(service_index), real_embedder, Settings())


def _answerer(searcher, chat, mode: str = "quote", timeout: float = 10.0) -> LLMAnswerer:
    return LLMAnswerer(searcher, ChatClient(chat.url, model=mode, timeout=timeout))


# ----- pure parts -----

def test_quotes_are_read_with_the_number_before_or_after_them():
    assert parse_quotes('Enclaves. [2] "run your code" and [3]: "never read"') == [(2, "run your code"),
                                                                                (3, "never read")]
    assert parse_quotes('They do: “run your code” [2], and "never read" ([3]).') == [(2, "run your code"),
                                                                                   (3, "never read")]
    # style from the first quote: `"a" [1], "b" [2]` must not give "b" to passage 1
    assert parse_quotes('"alpha beta" [1], "gamma delta" [2]') == [(1, "alpha beta"), (2, "gamma delta")]
    assert parse_quotes('[1] "same words" again [1] "same  words"') == [(1, "same words")]
    assert parse_quotes("No quotes here [1].") == []
    reply = 'Yes [1] "kept words" and "gone  words" [2]. Also "more" [3].'
    assert strip_quotes(reply, {(1, "gone words")}) == reply  # another style's pairing is not touched
    assert strip_quotes('[1] "kept words" and [2] "gone  words".', {(2, "gone words")}) == \
        f'[1] "kept words" and [2] {REMOVED}.'


def test_a_quote_is_found_across_whitespace_and_end_punctuation_but_not_otherwise():
    text = "Secure  enclaves let\na cloud run your code, on data."
    start, end = find_quote(text, "enclaves let a cloud")
    assert text[start:end] == "enclaves let\na cloud"  # the passage's own characters
    start, end = find_quote(text, "run your code.")  # the model's period for the passage's comma
    assert text[start:end] == "run your code"
    assert find_quote(text, "run my code") is None
    assert find_quote(text, "SECURE enclaves") is None  # case matters: verbatim means verbatim
    assert find_quote(text, "   ") is None


def test_the_prompt_numbers_the_passages_with_their_episode_and_text(searcher):
    hits = searcher.search(QUESTION, k=3).hits
    messages = build_messages(QUESTION, hits)
    assert [m["role"] for m in messages] == ["system", "user"]
    passages, question = passages_in(messages[1]["content"])
    assert question == QUESTION
    assert passages == {n: normalise(h.text) for n, h in enumerate(hits, start=1)}
    assert f'"{hits[0].episode.title}"' in messages[1]["content"]


def test_only_http_urls_are_accepted():
    with pytest.raises(PodqueryError, match="http"):
        ChatClient("file:///etc/passwd")


# ----- against the protocol stand-in -----

def test_llm_answer_cites_verified_timestamped_quotes(searcher, chat):
    answer = _answerer(searcher, chat).ask(QUESTION, k=4)
    assert answer.found and answer.answerer == "llm" and not answer.warnings
    assert answer.answer.startswith("The passages say so.") and ENCLAVE_QUOTE in answer.answer
    [citation] = answer.citations
    assert citation.quote == ENCLAVE_QUOTE
    hit = answer.passages[citation.n - 1]  # n is the passage number the reply cited
    assert citation.passage_id == hit.id and citation.episode.id == "enclave"
    assert citation.quote in searcher.stored_texts([hit.id])[hit.id]
    assert citation.start_s == time_at(hit, hit.text.index(citation.quote)) == 30.0
    assert citation.link.endswith("#t=30") and citation.chapter.title == "Secure Enclaves"
    assert answer.dropped_citations == 0 and answer.score == 1.0
    sent = chat.requests[-1]
    assert sent["stream"] is False and sent["temperature"] == 0 and sent["model"] == "quote"


def test_curly_quotes_with_the_number_after_are_cited_too(searcher, chat):
    answer = _answerer(searcher, chat, "quote-after").ask(QUESTION, k=4)
    assert answer.found and [c.quote for c in answer.citations] == [ENCLAVE_QUOTE]


def test_a_fabricated_quote_is_dropped_and_counted(searcher, chat):
    answer = _answerer(searcher, chat, "fabricate").ask(QUESTION, k=4)
    assert answer.found and [c.quote for c in answer.citations] == [ENCLAVE_QUOTE]
    # the model's words are shown, but never an invented quotation
    assert FABRICATED not in answer.answer and f'Also, [1] {REMOVED}' in answer.answer
    assert ENCLAVE_QUOTE in answer.answer
    assert answer.dropped_citations == 1 and answer.score == 0.5


def test_an_answer_without_a_verified_quote_is_not_given(searcher, chat):
    answer = _answerer(searcher, chat, "fabricate-only").ask(QUESTION, k=4)
    assert not answer.found and answer.answer == NOT_FOUND and answer.citations == []
    assert answer.answerer == "llm" and answer.dropped_citations == 1 and answer.passages
    assert answer.warnings and "not found in the passages" in answer.warnings[0]


def test_the_model_saying_not_found_is_not_found(searcher, chat):
    answer = _answerer(searcher, chat, "notfound").ask("Who won the 1998 football world cup?")
    assert not answer.found and answer.answer == NOT_FOUND and answer.passages and not answer.warnings


@pytest.mark.parametrize("mode", ["garbage", "error"])
def test_a_broken_reply_falls_back_to_the_extractive_answer(searcher, chat, mode, caplog):
    answer = _answerer(searcher, chat, mode).ask(QUESTION, k=4)
    assert answer.answerer == "extractive" and answer.warnings == [FALLBACK_WARNING]
    assert answer.found and answer.citations[0].episode.id == "enclave"
    assert chat.url in caplog.text  # the reason is logged for the operator, not sent to clients


def test_an_unreachable_model_falls_back_with_a_warning(searcher):
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there: connection refused
    answer = LLMAnswerer(searcher, ChatClient(dead, timeout=2)).ask(QUESTION, k=4)
    assert answer.answerer == "extractive" and answer.warnings == [FALLBACK_WARNING]
    assert answer.found and answer.citations[0].quote.startswith("Secure enclaves")
    events = list(LLMAnswerer(searcher, ChatClient(dead, timeout=2)).ask_stream(QUESTION, k=4))
    assert [kind for kind, _ in events] == ["answer"] and events[0][1].warnings == [FALLBACK_WARNING]


def test_streaming_yields_the_model_tokens_then_the_verified_answer(searcher, chat):
    events = list(_answerer(searcher, chat).ask_stream(QUESTION, k=4))
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"} and len(kinds) > 5
    answer = events[-1][1]
    assert "".join(text for kind, text in events[:-1]) == answer.answer
    assert answer.found and [c.quote for c in answer.citations] == [ENCLAVE_QUOTE]
    assert chat.requests[-1]["stream"] is True


def test_a_stream_that_breaks_falls_back(searcher, chat):
    events = list(_answerer(searcher, chat, "garbage").ask_stream(QUESTION, k=4))
    assert [kind for kind, _ in events] == ["answer"]
    assert events[-1][1].answerer == "extractive" and events[-1][1].warnings == [FALLBACK_WARNING]


def test_cli_ask_with_llm(service_index, real_embedder, chat, monkeypatch, capsys):
    monkeypatch.setattr("indexer.cli.commands.load_embedder", lambda settings, purpose="build": real_embedder)
    monkeypatch.setenv("PODQUERY_LLM_MODEL", "quote")  # the stand-in's behaviour
    assert main(["ask", str(service_index), QUESTION, "--llm", chat.url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answerer"] == "llm" and data["citations"][0]["quote"] == ENCLAVE_QUOTE

    assert main(["ask", str(service_index), QUESTION, "--llm", chat.url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The passages say so.") and f'"{ENCLAVE_QUOTE}"' in out and "@ 0:30" in out

    monkeypatch.setenv("PODQUERY_LLM_MODEL", "error")
    assert main(["ask", str(service_index), QUESTION, "--llm", chat.url]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Secure enclaves") and FALLBACK_WARNING in captured.err
