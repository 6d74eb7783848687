"""Generative answers from an OpenAI-compatible chat endpoint, held to the same rule as extractive ones.

The model sees the top passages numbered [1]..[n] and is asked for a short answer that backs each claim with
`[n] "exact words"` from passage n. Its reply is only as good as those quotes: each is looked up verbatim
(whitespace aside) in passage n, turned into a timestamped Citation there, and verified against the stored text;
quotes that are not found are dropped and counted, and a reply with no verified quote is not given. When the
endpoint fails (refused, timed out, unreadable reply) the extractive answer stands in, with a warning: asking
never fails because a model server is down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from indexer.answer.chat import ChatClient, LLMError
from indexer.answer.citations import NOT_FOUND, Answer, Citation, cite, normalise, verify
from indexer.answer.extractive import ExtractiveAnswerer
from indexer.answer.quotes import find_quote, parse_quotes, strip_quotes
from indexer.search.filters import Filters
from indexer.search.hits import Hit
from indexer.search.searcher import Searcher

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You answer questions about podcast episodes using only the numbered passages you are given. "
    "Answer in one or two short sentences. Back every claim with a citation: the passage number in square "
    'brackets, then the exact words from that passage in double quotes, copied character for character, '
    'for example: [2] "the exact words". '
    "If the passages do not answer the question, reply only: NOT FOUND"
)
MAX_CITATIONS = 5
FALLBACK_WARNING = "the language model could not be reached or sent an unreadable reply; this answer is extractive"
AskEvent = tuple[str, str | Answer]  # ("token", text) as the model writes, then ("answer", Answer)


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
            answer = self.fallback._answer(question, hits)  # the same hits: no second search
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
