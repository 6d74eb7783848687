"""Generative answers from an OpenAI-compatible chat endpoint, held to the same rule as extractive ones.

The model sees the top passages numbered [1]..[n] and is asked for a short answer that backs each claim with
`[n] "exact words"` from passage n. Its reply is only as good as those quotes: each is looked up verbatim
(whitespace aside) in passage n, turned into a timestamped Citation there, and verified against the stored text;
quotes that are not found are dropped and counted, and a reply with no verified quote is not given. When the
endpoint fails (refused, timed out, unreadable reply) the extractive answer stands in, with a warning: asking
never fails because a model server is down.

HTTP is the standard library's urllib (one POST to `{base}/chat/completions`, plain JSON or `"stream": true`
server-sent events), so the optional feature adds no dependency.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

from .answer import NOT_FOUND, Answer, Citation, ExtractiveAnswerer, cite, normalise, verify
from .errors import PodqueryError
from .search import Hit, Searcher
from .store import Filters

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You answer questions about podcast episodes using only the numbered passages you are given. "
    "Answer in one or two short sentences. Back every claim with a citation: the passage number in square "
    'brackets, then the exact words from that passage in double quotes, copied character for character, '
    'for example: [2] "the exact words". '
    "If the passages do not answer the question, reply only: NOT FOUND"
)
MAX_CITATIONS = 5
_QUOTE = r'["“]([^"“”\n]{2,}?)["”]'
_BEFORE = re.compile(r"\[(\d{1,2})\]\s*[:,\-–—]?\s*" + _QUOTE)  # [2] "words"
_AFTER = re.compile(_QUOTE + r"\s*[,.;:]?\s*\(?\[(\d{1,2})\]")  # "words" [2]
_EDGE_PUNCTUATION = ".,;:!?… "
# what a failing endpoint raises: refused or timed out (OSError, urllib's URLError), a bad status
# (HTTPError), a broken reply (HTTPException), or a body that is not the protocol's JSON
_FAILURES = (OSError, http.client.HTTPException, ValueError, KeyError, IndexError, TypeError, AttributeError)
REMOVED = "(quote removed: not found word for word in the passage)"
FALLBACK_WARNING = "the language model could not be reached or sent an unreadable reply; this answer is extractive"
AskEvent = tuple[str, str | Answer]  # ("token", text) as the model writes, then ("answer", Answer)


class LLMError(PodqueryError):
    """The chat endpoint did not give a usable reply; the answerer falls back instead of failing."""


def build_messages(question: str, hits: list[Hit], max_chars: int = 1500) -> list[dict[str, str]]:
    """The chat messages: instructions, then the passages numbered from 1 with where they come from."""
    blocks = []
    for n, hit in enumerate(hits, start=1):
        where = f'"{hit.episode.title}" ({hit.episode.podcast})'
        if hit.chapter and hit.chapter.title:
            where += f', chapter "{hit.chapter.title}"'
        if hit.timestamp:
            where += f", at {hit.timestamp}"
        blocks.append(f"[{n}] from {where}:\n{normalise(hit.text)[:max_chars]}")
    user = "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def quote_matches(reply: str) -> list[tuple[int, int, int, str]]:
    """(start, end, passage number, quote) of each cited quote in reply order; start/end span the whole
    citation. The reply's first quote decides its style: a number before (`[2] "..."`) or after (`"..." [2]`);
    reading both would attribute some quotes to the wrong passage."""
    before = [(m.start(2), m.start(), m.end(), int(m.group(1)), m.group(2)) for m in _BEFORE.finditer(reply)]
    after = [(m.start(1), m.start(), m.end(), int(m.group(2)), m.group(1)) for m in _AFTER.finditer(reply)]
    if before and after:
        chosen = before if before[0][0] <= after[0][0] else after
    else:
        chosen = before or after
    return [(start, end, n, quote) for _, start, end, n, quote in sorted(chosen) if quote.strip()]


def parse_quotes(reply: str) -> list[tuple[int, str]]:
    """(passage number, quote) pairs in reply order, each once."""
    pairs: list[tuple[int, str]] = []
    for _, _, n, quote in quote_matches(reply):
        if (n, normalise(quote)) not in {(m, normalise(q)) for m, q in pairs}:
            pairs.append((n, quote))
    return pairs


def strip_quotes(reply: str, unverified: set[tuple[int, str]]) -> str:
    """The reply with each unverified (n, normalised quote) replaced by a note: shown as the model's words,
    a quotation that is not in the episodes would still read as if someone had said it."""
    for start, end, n, quote in reversed(quote_matches(reply)):
        if (n, normalise(quote)) in unverified:
            reply = f"{reply[:start]}[{n}] {REMOVED}{reply[end:]}"
    return reply


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Character span of `quote` in `text`, comparing with runs of whitespace collapsed; None when absent.

    A quote whose only difference is punctuation at its ends ("never read." for "never read,") is found by
    its words; the citation then quotes the passage's own characters, so it stays verbatim.
    """
    flat: list[str] = []
    where: list[int] = []  # where[i]: offset in `text` of flat[i]
    for i, ch in enumerate(text):
        if ch.isspace():
            if not flat or flat[-1] == " ":
                continue
            ch = " "
        flat.append(ch)
        where.append(i)
    haystack = "".join(flat)
    for target in (normalise(quote), normalise(quote).strip(_EDGE_PUNCTUATION)):
        pos = haystack.find(target) if target else -1
        if pos >= 0:
            return where[pos], where[pos + len(target) - 1] + 1
    return None


class ChatClient:
    """POST {base}/chat/completions with urllib; `timeout` bounds the connection and each read."""

    def __init__(self, base_url: str, model: str = "local", timeout: float = 60.0, max_tokens: int = 300) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise PodqueryError(f"the LLM URL must start with http:// or https://, got {base_url!r}")
        self.endpoint = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout = timeout
        self.max_tokens = max_tokens

    def _open(self, messages: list[dict[str, str]], stream: bool) -> http.client.HTTPResponse:
        body = {"model": self.model, "messages": messages, "temperature": 0, "max_tokens": self.max_tokens,
                "stream": stream}
        request = urllib.request.Request(
            self.endpoint, data=json.dumps(body).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json",
                     "Accept": "text/event-stream" if stream else "application/json"})
        return urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310 - the scheme is checked above

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The whole reply at once."""
        try:
            with self._open(messages, stream=False) as response:
                data: Any = json.loads(response.read().decode("utf-8"))
            return str(data["choices"][0]["message"]["content"] or "")
        except _FAILURES as exc:
            raise LLMError(f"{self.endpoint}: {type(exc).__name__}: {exc}") from exc

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """The reply in pieces as the model writes it: `data: {...}` lines until `data: [DONE]`."""
        try:
            with self._open(messages, stream=True) as response:
                for raw in response:
                    line = raw.decode("utf-8").strip()
                    if not line.startswith("data:"):
                        continue  # blank separators, `event:` or `: keep-alive` comments
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        return
                    chunk: Any = json.loads(payload)
                    if chunk.get("error"):
                        raise ValueError(f"the server sent an error: {chunk['error']}")
                    if not chunk.get("choices"):
                        continue  # e.g. a final usage-only chunk
                    piece = (chunk["choices"][0].get("delta") or {}).get("content")
                    if piece:
                        yield str(piece)
        except _FAILURES as exc:
            raise LLMError(f"{self.endpoint}: {type(exc).__name__}: {exc}") from exc


class LLMAnswerer:
    """Answers with a chat model, citing verified quotes; same `ask()` as ExtractiveAnswerer, plus `ask_stream()`."""

    name = "llm"

    def __init__(self, searcher: Searcher, client: ChatClient, passages: int = 6) -> None:
        self.searcher = searcher
        self.client = client
        self.passages = passages
        # the stand-in when the endpoint fails; without the embedding model only "not found" can stand in
        self.fallback = ExtractiveAnswerer(searcher, passages) if searcher.embedder is not None else None

    def ask(self, question: str, *, k: int | None = None, filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        hits = self.searcher.search(question, k=k or self.passages, filters=filters).hits
        try:
            reply = self.client.complete(build_messages(question, hits)) if hits else ""
            answer = self.answer_from_reply(question, hits, reply)
        except LLMError as exc:
            answer = self._fall_back(question, hits, exc)
        answer.took_ms = round((time.perf_counter() - started) * 1000, 1)
        return answer

    def ask_stream(self, question: str, *, k: int | None = None, filters: Filters | None = None
                   ) -> Iterator[AskEvent]:
        """("token", text) for each piece of the reply as it arrives, then ("answer", the verified Answer).

        Tokens are the model's raw words, shown while it writes; only the final answer is checked, so a
        client replaces what it showed with that answer (a fallback after a failure mid-reply included).
        """
        started = time.perf_counter()
        hits = self.searcher.search(question, k=k or self.passages, filters=filters).hits
        pieces: list[str] = []
        try:
            if hits:
                for piece in self.client.stream(build_messages(question, hits)):
                    pieces.append(piece)
                    yield "token", piece
            answer = self.answer_from_reply(question, hits, "".join(pieces))
        except LLMError as exc:
            answer = self._fall_back(question, hits, exc)
        answer.took_ms = round((time.perf_counter() - started) * 1000, 1)
        yield "answer", answer

    def answer_from_reply(self, question: str, hits: list[Hit], reply: str) -> Answer:
        """Cite each quote of `reply` in its passage and verify it; the reply stands only with a verified quote."""
        text = reply.strip()
        if not hits or not text or text.upper().startswith("NOT FOUND"):
            return Answer(question, False, NOT_FOUND, [], hits, answerer=self.name)
        cited: list[tuple[tuple[int, str], Citation]] = []  # ((n, normalised quote), its citation)
        unverified: set[tuple[int, str]] = set()
        for n, quote in parse_quotes(text):
            span = find_quote(hits[n - 1].text, quote) if 1 <= n <= len(hits) else None
            if span is None:
                log.info("dropped a quote not found verbatim in passage [%d]: %r", n, quote[:200])
                unverified.add((n, normalise(quote)))
            else:
                cited.append(((n, normalise(quote)), cite(n, hits[n - 1], *span)))
        stored = self.searcher.stored_texts([c.passage_id for _, c in cited])
        verified, _ = verify([c for _, c in cited], stored)
        unverified |= {key for key, c in cited if not any(c is v for v in verified)}
        dropped = len(unverified)
        kept = verified[:MAX_CITATIONS]
        if not kept:
            why = (f"{dropped} quote(s) were not found in the passages they cite" if dropped
                   else "it quoted no passage")
            return Answer(question, False, NOT_FOUND, [], hits, answerer=self.name, dropped_citations=dropped,
                          warnings=[f"the language model's answer was not given: {why}"])
        return Answer(question, True, strip_quotes(text, unverified), kept, hits, answerer=self.name,
                      score=round(len(verified) / (len(verified) + dropped), 4), dropped_citations=dropped)

    def _fall_back(self, question: str, hits: list[Hit], exc: LLMError) -> Answer:
        log.warning("answering extractively: %s", exc)  # the endpoint and reason stay in the log, not the reply
        if self.fallback is not None:
            answer = self.fallback._answer(question, hits)  # noqa: SLF001 - same hits, no second search
        else:
            answer = Answer(question, False, NOT_FOUND, [], hits)
        answer.warnings.append(FALLBACK_WARNING)
        return answer


def answerer_for(searcher: Searcher, url: str | None, model: str = "local", timeout: float = 60.0,
                 passages: int = 6) -> ExtractiveAnswerer | LLMAnswerer:
    """The LLM answerer when `url` names a chat endpoint, else the extractive one."""
    if url:
        return LLMAnswerer(searcher, ChatClient(url, model, timeout), passages)
    return ExtractiveAnswerer(searcher, passages)
