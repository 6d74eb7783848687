"""Answers with verified, timestamped citations: retrieve (hybrid), pick the sentences that answer, quote them.

The default answerer is extractive: it can only say what was said. Every citation is checked against the stored
passage text before it is returned; an answer without a verified citation is not given.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .search import ChapterRef, EpisodeRef, Hit, Searcher
from .store import Filters
from .terms import WORD, query_terms
from .timecode import audio_link, format_timestamp


NOT_FOUND = "Not found in these episodes."
# Below this question-sentence cosine nothing retrieved answers the question. On the 20 demo questions the best
# sentence scored 0.46-0.92 and on absent topics 0.14-0.28; the threshold sits between (bench/README.md,
# "answer threshold")
MIN_ANSWER_SCORE = 0.38
_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+[\"')\]]*|$)")
_SPACE = re.compile(r"\s+")


@dataclass
class Citation:
    """A verbatim quote from one passage, with where it is said and a link that plays from there."""

    n: int
    passage_id: int
    quote: str
    start_s: float | None
    timestamp: str
    link: str | None
    episode: EpisodeRef
    chapter: ChapterRef | None
    kind: str


@dataclass
class Answer:
    question: str
    found: bool
    answer: str
    citations: list[Citation]
    passages: list[Hit]  # the closest passages: context for the answer, or what to show when not found
    answerer: str = "extractive"
    score: float = 0.0
    dropped_citations: int = 0
    took_ms: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sentence:
    hit: int  # index into the hits
    start: int  # character offsets in the passage text
    end: int

    def text(self, hits: Sequence[Hit]) -> str:
        return hits[self.hit].text[self.start:self.end].strip()


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence, leading spaces trimmed, so slices stay verbatim."""
    spans = []
    for m in _SENTENCE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and (text[start].isspace() or text[start] in ",;:-–—"):
            start += 1
        if end - start > 1:
            spans.append((start, end))
    return spans


def time_at(hit: Hit, offset: int) -> float | None:
    """Start second of the character at `offset`: interpolated between the segment marks around it."""
    if not hit.marks:
        return hit.start_s
    before = [(o, t) for o, t in hit.marks if o <= offset] or [hit.marks[0]]
    after = [(o, t) for o, t in hit.marks if o > offset]
    o0, t0 = before[-1]
    if after:
        o1, t1 = after[0]
    else:
        o1, t1 = len(hit.text), hit.end_s if hit.end_s is not None else t0
    if o1 <= o0 or t1 < t0:
        return t0
    return round(t0 + (t1 - t0) * (offset - o0) / (o1 - o0), 1)


def keyword_overlap(terms: list[str], sentence: str) -> float:
    """Share of the question's content words (its `query_terms`; 5-letter prefixes stand in for stems) found in
    the sentence."""
    if not terms:
        return 0.0
    words = {w.lower()[:5] for w in WORD.findall(sentence)}
    return sum(1 for t in terms if t[:5] in words) / len(terms)


def cite(n: int, hit: Hit, start: int, end: int) -> Citation:
    seconds = time_at(hit, start) if hit.start_s is not None else None
    return Citation(n=n, passage_id=hit.id, quote=hit.text[start:end].strip(), start_s=seconds,
                    timestamp=format_timestamp(seconds), link=audio_link(hit.episode.audio_url, seconds),
                    episode=hit.episode, chapter=hit.chapter, kind=hit.kind)


def verify(citations: list[Citation], stored_text: dict[int, str]) -> tuple[list[Citation], int]:
    """Keep citations whose quote occurs in the cited passage's stored text (whitespace-normalised)."""
    kept = [c for c in citations if c.quote and normalise(c.quote) in normalise(stored_text.get(c.passage_id, ""))]
    return kept, len(citations) - len(kept)


class ExtractiveAnswerer:
    """Picks the sentence (or two consecutive ones) that best answers the question, by embedding and keywords."""

    name = "extractive"

    def __init__(self, searcher: Searcher, passages: int = 6, keyword_weight: float = 0.15) -> None:
        if searcher.embedder is None:
            raise ValueError("the extractive answerer needs the embedding model")
        self.searcher = searcher
        self.passages = passages
        self.keyword_weight = keyword_weight

    def ask(self, question: str, *, k: int | None = None, filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        hits = self.searcher.search(question, k=k or self.passages, filters=filters).hits
        answer = self._answer(question, hits)
        answer.took_ms = round((time.perf_counter() - started) * 1000, 1)
        return answer

    def _supporting(self, hits: list[Hit], sentences: list[Sentence], vectors: np.ndarray, cosine: np.ndarray,
                    score: np.ndarray, best: int, most: int = 2) -> list[int]:
        """Up to `most` more sentences from other passages that also answer. When the best answer is untimed (a
        summary or highlight), the moment it describes comes first: the timed sentence of the same episode
        closest to that answer, so the listener can play where it is said."""
        chosen = sentences[best]
        order = [int(j) for j in np.argsort(-score) if sentences[int(j)].hit != chosen.hit]
        picked: list[int] = []
        if hits[chosen.hit].start_s is None:
            episode = hits[chosen.hit].episode.id
            timed = [j for j in order if hits[sentences[j].hit].start_s is not None
                     and hits[sentences[j].hit].episode.id == episode and cosine[j] >= 0.8 * MIN_ANSWER_SCORE]
            if timed:
                picked.append(max(timed, key=lambda j: float(vectors[j] @ vectors[best])))
        used = {chosen.hit} | {sentences[j].hit for j in picked}
        for j in order:
            if len(picked) >= most:
                break
            if sentences[j].hit not in used and cosine[j] >= MIN_ANSWER_SCORE:
                picked.append(j)
                used.add(sentences[j].hit)
        return picked

    def _answer(self, question: str, hits: list[Hit]) -> Answer:
        sentences = [Sentence(i, s, e) for i, h in enumerate(hits) for s, e in sentence_spans(h.text)
                     if len(h.text[s:e].split()) >= 4]
        if not sentences:
            return Answer(question, False, NOT_FOUND, [], hits)
        texts = [s.text(hits) for s in sentences]
        vectors = self.searcher.embedder.embed([question] + texts)
        question_vector, vectors = vectors[0], vectors[1:]
        cosine = vectors @ question_vector
        terms = query_terms(question)
        keywords = np.array([keyword_overlap(terms, text) for text in texts])
        score = cosine + self.keyword_weight * keywords
        best = int(np.argmax(score))
        if float(cosine[best]) < MIN_ANSWER_SCORE:
            return Answer(question, False, NOT_FOUND, [], hits, score=round(float(cosine[best]), 4))
        chosen = sentences[best]
        span_end = chosen.end
        # a short best sentence, or a next sentence nearly as relevant, continues the answer
        nxt = best + 1
        if nxt < len(sentences) and sentences[nxt].hit == chosen.hit and (
                len(chosen.text(hits).split()) < 10 or score[nxt] >= 0.9 * score[best]):
            span_end = sentences[nxt].end
        citations = [cite(1, hits[chosen.hit], chosen.start, span_end)]
        for j in self._supporting(hits, sentences, vectors, cosine, score, best):
            citations.append(cite(len(citations) + 1, hits[sentences[j].hit], sentences[j].start, sentences[j].end))
        stored = self.searcher.stored_texts([c.passage_id for c in citations])
        citations, dropped = verify(citations, stored)
        if not citations:
            return Answer(question, False, NOT_FOUND, [], hits, dropped_citations=dropped)
        return Answer(question, True, citations[0].quote, citations, hits, score=round(float(cosine[best]), 4),
                      dropped_citations=dropped)
