"""An answer that runs past the end of its passage continues in the next passage of the episode.

Passages are cut at a token budget, not where an answer ends, and consecutive transcript passages of an episode
overlap (the settings' `overlap`), so the last sentences of one passage open the next. When the best sentence
is near the end of its passage, the window is also grown in the next passage, from the same sentence there; when
it runs on further there, that one is quoted, so a quote is always verbatim text of one passage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.answer.sentence_vectors import SentenceVectors
from indexer.answer.windows import Window, grow_window, is_question, question_words
from indexer.search.fusion import Fused
from indexer.search.hits import Hit, make_hit
from indexer.search.searcher import Searcher

# the best sentence is this close to its passage's end when the answer may run on into the next passage
TAIL_SENTENCES = 2


@dataclass(frozen=True)
class Continuation:
    """Where a window is grown: a passage's sentences (spans in its text, unit vectors), the sentence to grow
    from, and the question's vector."""

    hit: Hit
    spans: list[tuple[int, int]]
    vectors: np.ndarray
    best: int
    question: np.ndarray
    terms: tuple[str, ...]  # the question's content words (`query_terms`)

    def window(self) -> Window:
        """The answer window grown from `best` in this passage (questions never join it)."""
        texts = [self.hit.text[s:e] for s, e in self.spans]
        return grow_window(self.vectors, self.best, self.question, asks=[is_question(t) for t in texts],
                           says=[question_words(list(self.terms), t) for t in texts])


def next_passage(searcher: Searcher, hit: Hit) -> Hit | None:
    """The transcript passage that follows `hit` in its episode, as a hit (no snippet or ranking of its own)."""
    ids = [pid for pid, kind, _, _ in searcher.index.episode_passages(hit.episode.id) if kind == hit.kind]
    at = ids.index(hit.id) if hit.id in ids else -1
    if at < 0 or at + 1 >= len(ids):
        return None
    stored = searcher.index.passages([ids[at + 1]]).get(ids[at + 1])
    if stored is None:
        return None
    return make_hit(stored, Fused(stored.id, 0.0), [], lambda _text: 0.0)


def continue_into_next(searcher: Searcher, sentences: SentenceVectors, hit: Hit, vectors: np.ndarray,
                       spans: list[tuple[int, int]], best: int, question: np.ndarray,
                       terms: tuple[str, ...]) -> Continuation:
    """The passage to grow the answer window in: this one, or the next one when the best sentence is in the
    overlap they share and the window there runs on past it further."""
    here = Continuation(hit, spans, vectors, best, question, terms)
    if hit.start_s is None or best < len(spans) - TAIL_SENTENCES:
        return here
    following = next_passage(searcher, hit)
    if following is None:
        return here
    wanted = hit.text[spans[best][0]:spans[best][1]]
    item = sentences.of([(following.id, following.text)])[0]
    same = [p for p, (s, e) in enumerate(item.spans) if following.text[s:e] == wanted]
    if not same:
        return here  # the passages do not overlap at this sentence: the quote stays in this passage
    there = Continuation(following, item.spans, item.vectors, same[0], question, terms)
    mine, theirs = here.window(), there.window()
    # the window rules already judged each extra sentence: the next passage wins when its window runs further on
    return there if theirs.last - same[0] > mine.last - best else here
