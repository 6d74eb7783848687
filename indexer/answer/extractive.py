"""The extractive answerer: retrieve (hybrid), pick the sentences that answer, quote them with their seconds.

The default answerer is extractive: it can only say what was said. Every citation is checked against the stored
passage text before it is returned; an answer without a verified citation is not given.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from indexer.answer.citations import NOT_FOUND, Answer, cite, verify
from indexer.index.embedding import Embedder
from indexer.passages.sentences import sentence_spans
from indexer.search.filters import Filters
from indexer.search.hits import Hit
from indexer.search.query import WORD, query_terms
from indexer.search.searcher import Searcher

# Below this question-sentence cosine nothing retrieved answers the question. On the 20 demo questions the best
# sentence scored 0.46-0.92 and on absent topics 0.14-0.28; the threshold sits between (bench/README.md,
# "answer threshold")
MIN_ANSWER_SCORE = 0.38
# The work of one answer is bounded, whatever the passages hold: a summary is one passage of any length (1,500
# sentences made one /ask take 8 s). A 200-token transcript passage holds ~10-15 sentences, so 60 per passage and
# 400 in all (6 passages by default; the total binds only when a caller asks for more) leave normal answers
# untouched; past them the first sentences, in rank and text order, are scored.
MAX_SENTENCES = 400
MAX_SENTENCES_PER_PASSAGE = 60
# Sentences embedded per call. The service runs one embed call at a time (service/state.py SerialEmbedder), so a
# batch is how long an answer can keep a search waiting: 64 short sentences (the embedder's own batch size) take
# ~0.3 s on one core, where one call over every sentence of a long summary took seconds.
EMBED_BATCH = 64


@dataclass(frozen=True)
class Sentence:
    hit: int  # index into the hits
    start: int  # character offsets in the passage text
    end: int

    def text(self, hits: Sequence[Hit]) -> str:
        return hits[self.hit].text[self.start:self.end].strip()


def keyword_overlap(terms: list[str], sentence: str) -> float:
    """Share of the question's content words (its `query_terms`; 5-letter prefixes stand in for stems) found in
    the sentence."""
    if not terms:
        return 0.0
    words = {w.lower()[:5] for w in WORD.findall(sentence)}
    return sum(1 for t in terms if t[:5] in words) / len(terms)


def _passage_sentences(index: int, hit: Hit) -> Iterator[Sentence]:
    """The sentences of one passage worth scoring (four words or more), at most MAX_SENTENCES_PER_PASSAGE."""
    kept = 0
    for start, end in sentence_spans(hit.text):
        if kept == MAX_SENTENCES_PER_PASSAGE:
            return
        if len(hit.text[start:end].split()) >= 4:
            kept += 1
            yield Sentence(index, start, end)


def scored_sentences(hits: Sequence[Hit]) -> list[Sentence]:
    """The sentences an answer is chosen from, in rank and text order, within the caps above."""
    sentences: list[Sentence] = []
    for i, hit in enumerate(hits):
        sentences.extend(_passage_sentences(i, hit))
        if len(sentences) >= MAX_SENTENCES:
            return sentences[:MAX_SENTENCES]
    return sentences


class ExtractiveAnswerer:
    """Picks the sentence (or two consecutive ones) that best answers the question, by embedding and keywords."""

    name = "extractive"

    def __init__(self, searcher: Searcher, passages: int = 6, keyword_weight: float = 0.15) -> None:
        if searcher.embedder is None:
            raise ValueError("the extractive answerer needs the embedding model")
        self.searcher = searcher
        self.embedder: Embedder = searcher.embedder  # checked above, so `_answer` needs no None check
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

    def _embed(self, texts: list[str]) -> np.ndarray:
        """`texts` embedded EMBED_BATCH at a time, so no answer holds the shared embedder for one long call."""
        batches = [self.embedder.embed(texts[i:i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)]
        return np.concatenate(batches) if batches else np.zeros((0, self.embedder.dimension), dtype=np.float32)

    def _answer(self, question: str, hits: list[Hit]) -> Answer:
        sentences = scored_sentences(hits)
        if not sentences:
            return Answer(question, False, NOT_FOUND, [], hits)
        texts = [s.text(hits) for s in sentences]
        vectors = self._embed([question] + texts)
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
