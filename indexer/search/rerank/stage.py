"""The second stage: reorder the first stage's best spoken passages with the learned ranker.

It reads what the features need from the index (the candidates and their neighbouring passages, their stored
vectors, the episodes' term statistics), scores the transcript passages among the top `depth` fused candidates,
and puts them in the ranker's order into the places transcript passages held. Summaries, highlights and chapters
keep their places: the ranker learned from spoken passages only. With fewer than `min_candidates` transcript
passages (a handful of short episodes) the first stage's order stands: the ranker learned from lists of about a
hundred candidates over hour-long episodes, and its list-level features mean something else on a handful. Each
reranked candidate's `found_by` gains a "rerank" entry (its rank among the reranked and the ranker's raw score),
which a hit shows in `explain`. Scores stay those of the places, so they still decrease down the list. One rule
follows the ranker: an opening passage that previews a later one (`features.previews`) goes right after it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from indexer.index.reader import Index
from indexer.index.records import StoredPassage
from indexer.search.fusion import Fused
from indexer.search.query import TermMatcher
from indexer.search.rerank.features import Candidate, EpisodeStats, feature_rows, previews, words_of
from indexer.search.rerank.ranker import Ranker

log = logging.getLogger(__name__)


class SecondStage:
    """Reranks fused candidates for one index with one ranker. Thread-safe (no state per query)."""

    def __init__(self, index: Index, ranker: Ranker, depth: int = 100, min_candidates: int = 20) -> None:
        self.index = index
        self.ranker = ranker
        self.depth = depth
        self.min_candidates = min_candidates

    def candidates(self, terms: Sequence[str], fused: Sequence[Fused], query_vector: np.ndarray
                   ) -> tuple[list[Candidate], dict[str, EpisodeStats]]:
        """The feature inputs of the transcript passages among the top `depth` fused results (what training and
        serving both compute); `fused_rank` is the place in the whole fused list."""
        top = list(fused[:self.depth])
        ids = [f.id for f in top]
        stored = self.index.passages(ids + [i + d for i in ids for d in (-1, 1)])
        ranks = {f.id: n for n, f in enumerate(top, start=1)}
        top = [f for f in top if f.id in stored and stored[f.id].kind == "transcript"]
        neighbours = {f.id: (_neighbour(stored, f.id, -1), _neighbour(stored, f.id, 1)) for f in top}
        vector_ids = sorted({f.id for f in top} | {n.id for pair in neighbours.values() for n in pair if n})
        vectors = self.index.vectors_of(vector_ids)
        cosine = dict(zip(vector_ids, (vectors @ query_vector).tolist(), strict=True))
        out = []
        for f in top:
            p = stored[f.id]
            rank = ranks[f.id]
            before, after = neighbours[f.id]
            keyword, dense = f.found_by.get("keyword"), f.found_by.get("semantic")
            out.append(Candidate(
                id=f.id, episode_id=p.episode_id, kind=p.kind, text=p.text, start_s=p.start_s,
                duration_s=p.duration_s, fused_score=f.score, fused_rank=rank,
                keyword_rank=keyword[0] if keyword else None, keyword_score=keyword[1] if keyword else None,
                dense_cosine=cosine[f.id], dense_rank=dense[0] if dense else None,
                previous_text=before.text if before else "", next_text=after.text if after else "",
                dense_neighbours=max([cosine[n.id] for n in (before, after) if n] or [0.0]),
                context_words=frozenset(words_of(f"{p.episode_title} {p.podcast} {' '.join(p.speakers)}")),
            ))
        # Episode-local term statistics from the episode's passages at hand (candidates and their neighbours):
        # a sample, but the one that matters. A guest's name said all through the episode is in all of them,
        # and counts for nothing inside it; reading every passage of every candidate episode would cost tens of ms.
        matcher = TermMatcher(terms)
        sample: dict[str, list[StoredPassage]] = {}
        for p in stored.values():
            sample.setdefault(p.episode_id, []).append(p)
        stats = {}
        for episode, passages in sample.items():
            frequency: dict[str, int] = {}
            for p in passages:
                for term in matcher.counts(p.text):
                    frequency[term] = frequency.get(term, 0) + 1
            stats[episode] = EpisodeStats(len(passages), sum(len(p.text.split()) for p in passages) / len(passages),
                                          frequency)
        return out, stats

    def rerank(self, terms: Sequence[str], fused: list[Fused], query_vector: np.ndarray) -> list[Fused]:
        """`fused` with its top transcript passages in the ranker's order, in the places they held."""
        candidates, stats = self.candidates(terms, fused, query_vector)
        if len(candidates) < self.min_candidates:
            return fused
        scores = self.ranker.score(feature_rows(terms, candidates, stats))
        order = _after_what_they_preview(sorted(range(len(candidates)), key=lambda i: -scores[i]),
                                         previews(terms, candidates))  # sorted() is stable: ties keep fusion's
        by_id = {f.id: f for f in fused}
        ranked = iter([(new_rank, by_id[candidates[i].id], float(scores[i]))
                       for new_rank, i in enumerate(order, start=1)])
        reranked_ids = {c.id for c in candidates}
        out = []
        for place in fused:
            if place.id not in reranked_ids:
                out.append(place)
                continue
            new_rank, f, raw = next(ranked)
            out.append(replace(f, score=place.score, found_by={**f.found_by, "rerank": (new_rank, raw)}))
        return out


def _after_what_they_preview(order: list[int], preview: dict[int, list[int]]) -> list[int]:
    """`order` with each opening that previews a later candidate moved right after the first of them it precedes
    (see `features.previews`); everything else keeps its order."""
    # the lowest first, so that two previews of one passage keep their order behind it
    for i in sorted(preview, key=order.index, reverse=True):
        later, place = preview[i], order.index(i)
        targets = [order.index(j) for j in later]
        if min(targets) > place:
            order.insert(min(targets), order.pop(place))  # popping shifts the target up by one: lands right after
    return order


def _neighbour(stored: dict[int, StoredPassage], pid: int, step: int) -> StoredPassage | None:
    """The transcript passage next to `pid` in its episode (ids run in time order within an episode)."""
    here, there = stored.get(pid), stored.get(pid + step)
    if here is None or there is None or here.kind != "transcript" or there.kind != "transcript":
        return None
    return there if there.episode_id == here.episode_id else None
