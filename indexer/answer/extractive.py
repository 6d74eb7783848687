"""The extractive answerer: retrieve (hybrid), pick the moment that answers, quote it with the second it is said.

The default answerer is extractive: it can only say what was said. Its first citation is a transcript moment:
the smallest window of consecutive sentences that answers (`windows.py`), played from its first word. Publisher
text (a summary, highlight or chapter description) that answers better only points at the moment it describes
(`spoken.py`) and follows as support. Every citation is checked against the stored passage text before it is
returned; an answer without a verified citation is not given, nor one whose best sentence matches the question
less than `min_score` (calibrated on the natural-question dev set: bench/README.md, "Answers").
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from indexer.answer.citations import NOT_FOUND, Answer, Citation, cite, verify
from indexer.answer.continuation import Continuation, continue_into_next
from indexer.answer.sentence_vectors import EMBED_BATCH, MAX_SENTENCES_PER_PASSAGE, SentenceVectors
from indexer.answer.spoken import SPOKEN, spoken_moment
from indexer.answer.windows import is_question, question_words
from indexer.index.embedding import Embedder
from indexer.search.filters import Filters
from indexer.search.hits import Hit
from indexer.search.query import query_terms
from indexer.search.searcher import Searcher

__all__ = ["EMBED_BATCH", "MAX_SENTENCES", "MAX_SENTENCES_PER_PASSAGE", "MIN_ANSWER_SCORE", "ExtractiveAnswerer"]

# Below this match nothing retrieved answers the question. The match is the cosine of the sentence closest to the
# question among those read (whichever is quoted). On the precision/coverage curve of LX-A plus half of our
# unanswerable questions 0.46 is the one point with both "not found" on 90% of those and 90% of LX-A answered,
# but a demo question that is answered scores 0.43 (tests/model/test_answer_demo.py); 0.42 keeps all of LX-A and
# says "not found" on 60% of the unanswerable half (bench/README.md, "Answers")
MIN_ANSWER_SCORE = 0.42
# The sentences of one answer, in rank and text order: 6 passages of ~15 sentences by default; the total binds
# only when a caller asks for many passages or they are long summaries
MAX_SENTENCES = 400
MIN_WORDS = 4  # shorter sentences ("Yeah.", "Right, right.") may join a window but never start one
# a sentence's score adds this share of its passage's retrieval prior 1/(rank+1): the second-stage ranker's order
# knows the neighbourhood (the question's words around the sentence, the passage's place), which one sentence's
# vector does not. Tuned on LX-A (0, 0.1, 0.2, 0.3, 0.5, 1.0): first citation at the moment 0.55 -> 0.81
RANK_WEIGHT = 0.5


@dataclass(frozen=True)
class Row:
    hit: int  # index into the hits
    pos: int  # index of the sentence in its passage
    start: int  # character offsets in the passage text
    end: int


def keyword_overlap(terms: list[str], sentence: str) -> float:
    """Share of the question's content words (its `query_terms`; 5-letter prefixes stand in for stems) found in
    the sentence."""
    return len(question_words(terms, sentence)) / len(terms) if terms else 0.0


class ExtractiveAnswerer:
    """Picks the window of sentences that best answers the question, by embedding, keywords and rank."""

    name = "extractive"

    def __init__(self, searcher: Searcher, passages: int = 6, keyword_weight: float = 0.15,
                 min_score: float = MIN_ANSWER_SCORE, rank_weight: float = RANK_WEIGHT,
                 sentence_vectors: SentenceVectors | None = None) -> None:
        if searcher.embedder is None:
            raise ValueError("the extractive answerer needs the embedding model")
        self.searcher = searcher
        self.embedder: Embedder = searcher.embedder  # checked above, so `_answer` needs no None check
        self.passages = passages
        self.keyword_weight = keyword_weight
        self.min_score = min_score
        self.rank_weight = rank_weight
        self.sentences = sentence_vectors or SentenceVectors(self.embedder)

    def ask(self, question: str, *, k: int | None = None, filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        hits = self.searcher.search(question, k=k or self.passages, filters=filters).hits
        answer = self._answer(question, hits, filters or Filters())
        answer.took_ms = round((time.perf_counter() - started) * 1000, 1)
        return answer

    def _rows(self, hits: list[Hit]) -> tuple[list[Row], np.ndarray]:
        """The sentences read (MAX_SENTENCES at most, in rank and text order) and their vectors."""
        rows: list[Row] = []
        blocks: list[np.ndarray] = []
        room = MAX_SENTENCES
        for i, item in enumerate(self.sentences.of([(h.id, h.text) for h in hits], total=MAX_SENTENCES)):
            take = min(len(item.spans), room)
            rows.extend(Row(i, p, s, e) for p, (s, e) in enumerate(item.spans[:take]))
            blocks.append(item.vectors[:take])
            room -= take
        dim = self.embedder.dimension
        return rows, (np.concatenate(blocks) if blocks else np.zeros((0, dim), dtype=np.float32))

    def _answer(self, question: str, hits: list[Hit], filters: Filters | None = None) -> Answer:
        rows, vectors = self._rows(hits)
        texts = [hits[r.hit].text[r.start:r.end] for r in rows]
        eligible = np.array([len(t.split()) >= MIN_WORDS for t in texts], dtype=bool)
        if not eligible.any():
            return Answer(question, False, NOT_FOUND, [], hits)
        q = self.sentences.embed([question])[0]
        cosine = vectors @ q
        terms = query_terms(question)
        score = (cosine + self.keyword_weight * np.array([keyword_overlap(terms, t) for t in texts])
                 + self.rank_weight * np.array([1.0 / (r.hit + 1) for r in rows]))
        score[~eligible] = -np.inf
        best = int(np.argmax(score))
        match = round(float(cosine[eligible].max()), 4)
        if match < self.min_score:
            return Answer(question, False, NOT_FOUND, [], hits, score=match)
        citations = self._cite((question, tuple(terms), q), hits, rows, texts, vectors, score, best,
                               filters or Filters())
        stored = self.searcher.stored_texts([c.passage_id for c in citations])
        citations, dropped = verify(citations, stored)
        for n, citation in enumerate(citations, start=1):
            citation.n = n
        if not citations:
            return Answer(question, False, NOT_FOUND, [], hits, dropped_citations=dropped)
        return Answer(question, True, citations[0].quote, citations, hits, score=match, dropped_citations=dropped)

    def _cite(self, asked: tuple[str, tuple[str, ...], np.ndarray], hits: list[Hit], rows: list[Row],
              texts: list[str], vectors: np.ndarray, score: np.ndarray, best: int,
              filters: Filters, most: int = 3) -> list[Citation]:
        """The answer's moment first (spoken, as a window), then publisher text it came from, then the best
        sentences of other passages, one per passage, up to `most` citations. `asked` is the question, its
        content words and its vector."""
        _, terms, q = asked
        citations: list[Citation] = []
        used: set[int] = set()
        chosen = rows[best]
        if hits[chosen.hit].kind != SPOKEN:
            text = hits[chosen.hit].text[chosen.start:chosen.end]
            moment = spoken_moment(self.searcher, self.sentences, hits[chosen.hit], text, asked, filters)
            if moment is not None:
                citations.append(self._window_citation(moment))
                used.add(moment.hit.id)
            citations.append(cite(0, hits[chosen.hit], chosen.start, chosen.end))
        else:
            mine = [j for j, r in enumerate(rows) if r.hit == chosen.hit]
            window = continue_into_next(self.searcher, self.sentences, hits[chosen.hit], vectors[mine],
                                        [(r.start, r.end) for r in (rows[j] for j in mine)], best - mine[0], q,
                                        terms)
            citations.append(self._window_citation(window))
            used.add(window.hit.id)
        used.add(hits[chosen.hit].id)
        for j in np.argsort(-score):
            row = rows[int(j)]
            if len(citations) >= most or not np.isfinite(score[j]):
                break
            if hits[row.hit].id not in used and score[j] >= self.min_score and not is_question(texts[j]):
                citations.append(cite(0, hits[row.hit], row.start, row.end))
                used.add(hits[row.hit].id)
        return citations

    def _window_citation(self, moment: Continuation) -> Citation:
        """The window as one verbatim quote of one passage, from the first word of its first sentence."""
        window = moment.window()
        return cite(0, moment.hit, moment.spans[window.first][0], moment.spans[window.last][1])
