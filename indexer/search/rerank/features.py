"""The second stage's features: what a ranker knows about one candidate passage for one query. Pure functions.

Why these: on natural questions the first stage finds the answering passage (top 100 for ~95% of questions) but
orders it badly. The misses are the episode's opening minutes (a cold open replaying the guest's best lines, the
host's intro previewing every topic, sponsor reads) and the passage next to the answer. So besides each
retriever's score and rank the ranker sees: term statistics *inside the episode* (a guest's name, said all
through their episode, counts for nothing there), the query's words in the neighbouring passages (questions and
answers cross passage boundaries), the passage's position in the episode and how much it sounds like an intro or
a sponsor read, and episode-level evidence (how many of the candidates come from its episode).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from indexer.search.query import WORD, TermMatcher

FEATURES = (
    "fused_score", "log_fused_rank", "keyword_rank_inv", "keyword_score_rel", "dense_cosine", "dense_gap",
    "dense_rank_inv", "coverage", "coverage_content", "coverage_with_neighbours", "episode_bm25",
    "episode_bm25_neighbours", "proximity", "position", "log_minutes", "opening", "sponsor_cues", "intro_cues",
    "kind_transcript", "kind_summary", "kind_chapter", "kind_highlight", "log_episode_candidates",
    "episode_best_rank_inv", "episode_fused_sum", "episode_best", "dense_neighbours", "query_terms", "log_words",
)
OPENING_S = 180.0  # cold opens, intros and the first sponsor read sit in the first few minutes
# one pass over the lowercased text finds both kinds of cue (the group that matched says which)
_CUES = re.compile(
    r"\b(?:(?P<sponsor>sponsor\w*|brought to you|promo code|offer code|discount|free trial|sign up|\w+\.com/|"
    r"check (?:them )?out|go to \w+|support (?:this|the) (?:podcast|show)|patreon|subscribe)"
    r"|(?P<intro>welcome|today|this episode|this is the|my guest|joining (?:me|us)|conversation with|podcast|"
    r"is a professor|author of|the following is|before we|quick mention|and now here))\b")
_K1, _B = 1.2, 0.75  # the usual BM25 constants


@dataclass(frozen=True)
class Candidate:
    """One candidate of the first stage, with what the features read about it."""

    id: int
    episode_id: str
    kind: str
    text: str
    start_s: float | None
    duration_s: float | None
    fused_score: float
    fused_rank: int
    keyword_rank: int | None
    keyword_score: float | None
    dense_cosine: float
    dense_rank: int | None
    previous_text: str = ""
    next_text: str = ""
    dense_neighbours: float = 0.0
    context_words: frozenset[str] = field(default_factory=frozenset)  # episode title, podcast, speakers


@dataclass(frozen=True)
class EpisodeStats:
    """Term statistics of one episode's transcript passages: how many, how long, and in how many each term is."""

    passages: int
    average_words: float
    document_frequency: dict[str, int]


def _cues(text: str) -> tuple[float, float]:
    """(sponsor-read cues, intro cues) in a text."""
    sponsor = intro = 0
    for m in _CUES.finditer(text.lower()):
        if m.group("sponsor"):
            sponsor += 1
        else:
            intro += 1
    return float(sponsor), float(intro)


def words_of(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


class _Bag:
    """A text's length in words and the query terms' places in it, computed once."""

    def __init__(self, text: str, matcher: TermMatcher) -> None:
        self.length = len(text.split())
        self.positions = matcher.positions(text)
        self.counts: dict[str, int] = {}
        for _, t in self.positions:
            self.counts[t] = self.counts.get(t, 0) + 1

    def tf(self, term: str) -> int:
        return self.counts.get(term, 0)


def _bm25(bag: _Bag, terms: Sequence[str], idf: dict[str, float], average_words: float) -> float:
    length = bag.length or 1
    score = 0.0
    for t in terms:
        f = bag.tf(t)
        if f:
            score += idf[t] * f * (_K1 + 1) / (f + _K1 * (1 - _B + _B * length / average_words))
    return score


def proximity(bag: _Bag, terms: Sequence[str], window: int = 200) -> float:
    """Share of the query's `terms` that occur together within `window` characters (about 30 words; 0 for
    one-term queries)."""
    if len(terms) < 2:
        return 0.0
    wanted = set(terms)
    found = [(i, t) for i, t in bag.positions if t in wanted]
    best, j = 0, 0
    for i in range(len(found)):
        while found[i][0] - found[j][0] > window:
            j += 1
        best = max(best, len({t for _, t in found[j:i + 1]}))
    return best / len(terms)


def previews(terms: Sequence[str], candidates: Sequence[Candidate]) -> dict[int, list[int]]:
    """Opening passages that preview a later candidate: candidate index -> the indexes of the later candidates of
    its episode that match every content term it matches.

    Why a rule beside the ranker: cold opens and intros name the topics the episode discusses later, often in the
    question's very words, while the moment itself says them once among its own. The ranker learned from an
    interview show whose openings never preview (its dev questions never point into the first minutes), so it
    cannot learn this; the held-out measurements say it is where half the misses are. An opening whose query
    words all recur in a later passage of the same episode is the preview, and goes right after that passage."""
    matcher = TermMatcher(terms)
    matched = [set(matcher.counts(c.text)) for c in candidates]
    out: dict[int, list[int]] = {}
    for i, c in enumerate(candidates):
        if c.start_s is None or c.start_s >= OPENING_S:
            continue
        in_context = {t for w in c.context_words for t in matcher.matched(w)}
        mine = matched[i] - in_context  # a name in the title matches everywhere: it says nothing here
        if not mine:
            continue
        later = [j for j, x in enumerate(candidates) if x.episode_id == c.episode_id and x.start_s is not None
                 and x.start_s >= OPENING_S and mine <= matched[j]]
        if later:
            out[i] = later
    return out


def feature_rows(terms: Sequence[str], candidates: Sequence[Candidate],
                 episodes: dict[str, EpisodeStats]) -> list[list[float]]:
    """One row of FEATURES per candidate (the order of `candidates` is the first stage's)."""
    keyword_best = max((c.keyword_score for c in candidates if c.keyword_score is not None), default=1.0) or 1.0
    dense_best = max((c.dense_cosine for c in candidates), default=0.0)
    per_episode: dict[str, list[Candidate]] = {}
    for c in candidates:
        per_episode.setdefault(c.episode_id, []).append(c)
    matcher = TermMatcher(terms)
    bags: dict[str, _Bag] = {}  # a passage is also its neighbours' neighbour: read each text once

    def bag(text: str) -> _Bag:
        if text not in bags:
            bags[text] = _Bag(text, matcher)
        return bags[text]

    return [_row(terms, c, episodes.get(c.episode_id), per_episode[c.episode_id], keyword_best, dense_best, matcher,
                 bag) for c in candidates]


def _row(terms: Sequence[str], c: Candidate, stats: EpisodeStats | None, same_episode: list[Candidate],
         keyword_best: float, dense_best: float, matcher: TermMatcher, bag_of: Callable[[str], _Bag]) -> list[float]:
    bag, before, after = bag_of(c.text), bag_of(c.previous_text), bag_of(c.next_text)
    # a term of the episode's title, podcast or speakers matches every passage of it: inside it, it says nothing
    in_context = {t for w in c.context_words for t in matcher.matched(w)}
    content = [t for t in terms if t not in in_context] or list(terms)
    stats = stats or EpisodeStats(1, 150.0, {})
    idf = {t: math.log(1 + (stats.passages - stats.document_frequency.get(t, 0) + 0.5)
                       / (stats.document_frequency.get(t, 0) + 0.5)) for t in content}
    average = stats.average_words or 150.0
    near = {t for t in content if bag.tf(t) or before.tf(t) or after.tf(t)}
    best_rank = min(x.fused_rank for x in same_episode)
    start = c.start_s if c.start_s is not None else 0.0
    return [
        c.fused_score, math.log(c.fused_rank), 1 / c.keyword_rank if c.keyword_rank else 0.0,
        (c.keyword_score or 0.0) / keyword_best, c.dense_cosine, c.dense_cosine - dense_best,
        1 / c.dense_rank if c.dense_rank else 0.0,
        sum(1 for t in terms if bag.tf(t)) / max(1, len(terms)),
        sum(1 for t in content if bag.tf(t)) / max(1, len(content)),
        len(near) / max(1, len(content)),
        _bm25(bag, content, idf, average),
        max(_bm25(before, content, idf, average), _bm25(after, content, idf, average)),
        proximity(bag, content),
        start / c.duration_s if c.duration_s and c.start_s is not None else 0.0,
        math.log1p(start / 60), 1.0 if c.start_s is not None and c.start_s < OPENING_S else 0.0,
        *_cues(c.text),
        float(c.kind == "transcript"), float(c.kind == "summary"), float(c.kind == "chapter"),
        float(c.kind == "highlight"),
        math.log(len(same_episode)), 1 / best_rank, sum(x.fused_score for x in same_episode),
        float(best_rank == c.fused_rank), c.dense_neighbours, float(len(terms)), math.log1p(bag.length),
    ]
