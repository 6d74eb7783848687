"""Answer windows: the smallest run of consecutive sentences that answers, grown from the best sentence.

A spoken answer often takes more than one sentence, and question-answer turns cross sentence and speaker
boundaries ("What do you need?" / "A permit. And a pilot on board."). The window starts as the best sentence and
takes in a neighbour (the next or the previous sentence, the next one possibly from the passage that follows in
the episode) only when the joined sentences match the question better than the window without it, or when the
neighbour is about the question itself and says some of its words the window does not (an answer in two parts
embeds no closer than its first part alone); it stops at MAX_WINDOW sentences. A question ("...?") never joins:
it asks, the answer is what follows it (and starts the window when the best match is a question), and the quote
is played from the answer's first word. Joined sentences
are scored by the normalised sum of their vectors, close to embedding the joined text and no model call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.search.query import WORD

MAX_WINDOW = 3
# a neighbour must raise the window's match by this much: a sentence that adds nothing stays out of the quote
MIN_GAIN = 0.01
# a neighbour that adds question words joins when its own match is at least this share of the best sentence's
MIN_SHARE = 0.5


@dataclass(frozen=True)
class Window:
    """Sentences `first`..`last` (inclusive) of a sentence sequence, and the window's cosine with the question."""

    first: int
    last: int
    cosine: float


def window_cosine(vectors: np.ndarray, first: int, last: int, question: np.ndarray) -> float:
    summed = vectors[first:last + 1].sum(axis=0)
    norm = float(np.linalg.norm(summed))
    return float(summed @ question) / norm if norm else 0.0


def question_words(terms: list[str], sentence: str) -> frozenset[str]:
    """The question's content words (its `query_terms`) found in the sentence; 5-letter prefixes stand in for
    stems."""
    words = {w.lower()[:5] for w in WORD.findall(sentence)}
    return frozenset(t for t in terms if t[:5] in words)


def is_question(sentence: str) -> bool:
    return sentence.rstrip("\"'”’)] ").endswith("?")


def grow_window(vectors: np.ndarray, best: int, question: np.ndarray, *, asks: list[bool] | None = None,
                says: list[frozenset[str]] | None = None, max_sentences: int = MAX_WINDOW,
                min_gain: float | None = None) -> Window:
    """The window around sentence `best` of `vectors` (one unit vector per sentence, in spoken order); `asks`
    marks the sentences that are questions, `says` the question's words each sentence contains."""
    min_gain = MIN_GAIN if min_gain is None else min_gain
    asks = asks or [False] * len(vectors)
    says = says or [frozenset()] * len(vectors)
    after = next((n for n in range(best, len(vectors)) if not asks[n]), None)
    if after is not None:
        best = after  # a question that matches best is answered by what follows it
    cosine = vectors @ question
    first = last = best
    score = float(cosine[best])
    covered = set(says[best])
    while last - first + 1 < max_sentences:
        options = []
        for n, (lo, hi) in ((last + 1, (first, last + 1)), (first - 1, (first - 1, last))):
            if 0 <= n < len(vectors) and not asks[n]:
                joined = window_cosine(vectors, lo, hi, question)
                adds = bool(says[n] - covered) and cosine[n] >= MIN_SHARE * cosine[best]
                if joined >= score + min_gain or adds:
                    options.append((joined >= score + min_gain, len(says[n] - covered), joined, lo, hi, n))
        if not options:
            break
        _, _, joined, first, last, n = max(options)
        score = max(score, joined)
        covered |= says[n]
    return Window(first, last, score)
