"""Spoken evidence first: when publisher text answers best, cite the moment of the episode where it is said.

A summary, highlight or chapter description is written about the episode, not said in it, and has no second to
play from. When it is the best match for a question, the answer's first citation is the transcript sentence of
the same episode that best matches both that text and the question (found with a search restricted to the
episode's transcript), and the publisher text follows as support. The speakers' names are left out of that
match: an introduction ("Today I'm talking with Maria") shares the name with every summary sentence and every
question that names the guest, and would otherwise win over the moment the summary describes.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from indexer.answer.continuation import Continuation
from indexer.answer.sentence_vectors import SentenceVectors
from indexer.answer.windows import is_question
from indexer.search.filters import Filters
from indexer.search.hits import Hit
from indexer.search.query import MAX_QUERY_CHARS
from indexer.search.searcher import Searcher

SPOKEN = "transcript"  # the passage kind that is said, with seconds; the other kinds are publisher text
CANDIDATES = 4  # transcript passages of the episode read for the moment a publisher sentence describes
MIN_WORDS = 4
QUESTION_WEIGHT = 0.5  # the question counts, but the publisher sentence says which moment is meant


def without_names(text: str, names: set[str]) -> str:
    """`text` without the words of these names (whole words, as written), white space tidied."""
    if not names:
        return text
    pattern = r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?:'s)?\b"
    return re.sub(r"\s+", " ", re.sub(pattern, " ", text)).strip() or text


def speaker_names(hits: list[Hit]) -> set[str]:
    """The words (three letters or more, capitalised) of the speakers' names of these passages."""
    return {w for h in hits for speaker in h.speakers for w in speaker.split() if len(w) >= 3 and w[0].isupper()}


def spoken_moment(searcher: Searcher, sentences: SentenceVectors, publisher: Hit, publisher_sentence: str,
                  asked: tuple[str, tuple[str, ...], np.ndarray], filters: Filters) -> Continuation | None:
    """The transcript sentence of `publisher`'s episode closest to the publisher sentence and the question
    together (names left out), with its passage; None when the episode has no transcript. `asked` is the
    question, its content words and its vector. The request's `filters` hold here too: asked for publisher text
    only (another kind), there is no spoken moment to give; a speaker or date filter narrows where it is looked for."""
    question, terms, question_vector = asked
    if filters.kind not in (None, SPOKEN):
        return None
    found = searcher.search(publisher_sentence[:MAX_QUERY_CHARS], k=CANDIDATES,
                            filters=replace(filters, episode=publisher.episode.id, kind=SPOKEN)).hits
    if not found:
        return None
    names = speaker_names(found + [publisher])
    publisher_vector, plain_question = sentences.embed([without_names(publisher_sentence, names),
                                                        without_names(question, names)])
    best: tuple[float, Hit, int] | None = None
    items = sentences.of([(h.id, h.text) for h in found])
    for hit, item in zip(found, items, strict=True):
        for p, (s, e) in enumerate(item.spans):
            if len(hit.text[s:e].split()) < MIN_WORDS or is_question(hit.text[s:e]):
                continue
            value = float(item.vectors[p] @ publisher_vector + QUESTION_WEIGHT * item.vectors[p] @ plain_question)
            if best is None or value > best[0]:
                best = (value, hit, p)
    if best is None:
        return None
    _, hit, p = best
    item = items[found.index(hit)]
    return Continuation(hit, item.spans, item.vectors, p, question_vector, terms)
