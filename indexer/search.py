"""Search an index: keyword (FTS5 bm25), semantic (FAISS) or hybrid (weighted reciprocal rank fusion)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import store
from .embedding import Embedder
from .errors import QueryError
from .fusion import Fused, rrf
from .index import Index
from .settings import Settings
from .snippets import best_mark, snippet
from .store import Filters
from .terms import query_terms
from .timecode import audio_link, format_timestamp

MODES = ("hybrid", "keyword", "semantic")
MAX_QUERY_CHARS = 1000
MAX_K = 100


@dataclass
class EpisodeRef:
    id: str
    title: str
    podcast: str
    published: str | None
    url: str | None
    audio_url: str | None


@dataclass
class ChapterRef:
    index: int
    title: str
    start_s: float | None


@dataclass
class Hit:
    """One ranked moment: the passage, where it is, how to play it, and why it ranked."""

    id: int
    score: float
    kind: str
    text: str
    snippet: str
    start_s: float | None
    end_s: float | None
    seek_s: float | None  # start of the segment that best matches the query; what `link` plays from
    timestamp: str
    link: str | None
    time_estimated: bool
    speakers: list[str]
    episode: EpisodeRef
    chapter: ChapterRef | None
    explain: dict[str, dict[str, float]] = field(default_factory=dict)
    marks: list[tuple[int, float]] = field(default_factory=list, repr=False)


@dataclass
class SearchResult:
    query: str
    mode: str
    hits: list[Hit]
    took_ms: float


def check_query(query: str, k: int, mode: str, offset: int = 0) -> str:
    """Validate a request the same way for the CLI, the service and the library; returns the stripped query."""
    text = (query or "").strip()
    if not text:
        raise QueryError("the query is empty: type some words to search for")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text)} characters; the limit is {MAX_QUERY_CHARS}")
    if mode not in MODES:
        raise QueryError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if not 1 <= k <= MAX_K:
        raise QueryError(f"k must be between 1 and {MAX_K}, got {k}")
    if offset < 0:
        raise QueryError(f"offset must be >= 0, got {offset}")
    return text


class Searcher:
    """One library API for the CLI, the service and the tests. Thread-safe for reads."""

    def __init__(self, index: Index, embedder: Embedder | None, settings: Settings) -> None:
        if embedder is not None:
            index.manifest.check_model(embedder.name, embedder.dimension, embedder.fingerprint, index.path)
        self.index = index
        self.embedder = embedder
        self.settings = settings

    def search(self, query: str, *, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
               offset: int = 0, group_by_episode: bool = False) -> SearchResult:
        return self.search_batch([query], k=k, mode=mode, filters=filters, offset=offset,
                                 group_by_episode=group_by_episode)[0]

    def search_batch(self, queries: Sequence[str], *, k: int = 10, mode: str = "hybrid",
                     filters: Filters | None = None, offset: int = 0,
                     group_by_episode: bool = False) -> list[SearchResult]:
        """Many queries in one call; their embeddings are computed together."""
        started = time.perf_counter()
        texts = [check_query(q, k, mode, offset) for q in queries]
        filters = filters or Filters()
        depth = max(50, (offset + k) * (10 if group_by_episode else 3))
        # SQLite runs serialized: threads share the read-only connection, each execute gets its own cursor
        conn = self.index.conn
        allowed = store.filtered_ids(conn, filters) if filters.active() else None
        dense: list[list[tuple[int, float]]] = [[] for _ in texts]
        if mode in ("semantic", "hybrid"):
            if self.embedder is None:
                raise QueryError(f"mode {mode!r} needs the embedding model; use mode 'keyword' or load the model")
            vectors = self.embedder.embed(texts)
            dense = self.index.vectors.search(vectors, depth, allowed)
        results = []
        for n, text in enumerate(texts):
            ranked: dict[str, list[tuple[int, float]]] = {}
            if mode in ("keyword", "hybrid"):
                ranked["keyword"] = store.keyword_search(conn, text, depth, filters)
            if mode in ("semantic", "hybrid"):
                ranked["semantic"] = dense[n]
            fused = rrf(ranked, {"keyword": self.settings.keyword_weight,
                                 "semantic": self.settings.semantic_weight}, self.settings.rrf_k)
            hits = self._hits(conn, fused, text, offset + k, group_by_episode)
            results.append(SearchResult(text, mode, hits[offset:offset + k], 0.0))
        took = (time.perf_counter() - started) * 1000
        for r in results:
            r.took_ms = round(took, 2)
        return results

    def stored_texts(self, ids: Sequence[int]) -> dict[int, str]:
        """Passage text as stored, read afresh: what citations are verified against."""
        return {pid: row["text"] for pid, row in store.passages_by_id(self.index.conn, ids).items()}

    def _hits(self, conn: sqlite3.Connection, fused: list[Fused], query: str, limit: int,
              group_by_episode: bool) -> list[Hit]:
        """The first `limit` hits (best per episode when grouping); snippets are made for those only."""
        rows = store.passages_by_id(conn, [f.id for f in fused])
        terms = query_terms(query)
        hits: list[Hit] = []
        episodes: set[str] = set()
        for f in fused:
            row = rows.get(f.id)
            if row is None:  # a vector whose passage is gone (a removed episode in an index that cannot remove)
                continue
            if group_by_episode:
                if row["episode_id"] in episodes:
                    continue
                episodes.add(row["episode_id"])
            hits.append(_hit(row, f, terms))
            if len(hits) >= limit:
                break
        return hits


def _hit(row: sqlite3.Row, fused: Fused, terms: list[str]) -> Hit:
    marks = [(int(o), float(s)) for o, s in json.loads(row["marks"])]
    seek = best_mark(row["text"], marks, terms) if marks else None
    if seek is None:
        seek = row["start_s"]
    chapter = None
    if row["chapter_index"] is not None:
        chapter = ChapterRef(row["chapter_index"], row["chapter_title"] or "", row["chapter_start_s"])
    return Hit(
        id=int(row["id"]), score=round(fused.score, 6), kind=row["kind"], text=row["text"],
        snippet=snippet(row["text"], terms), start_s=row["start_s"], end_s=row["end_s"], seek_s=seek,
        timestamp=format_timestamp(seek), link=audio_link(row["audio_url"], seek),
        time_estimated=bool(row["time_estimated"]), speakers=json.loads(row["speakers"]),
        episode=EpisodeRef(row["episode_id"], row["episode_title"], row["podcast"], row["published"],
                           row["episode_url"], row["audio_url"]),
        chapter=chapter,
        explain={name: {"rank": rank, "score": round(raw, 4)} for name, (rank, raw) in fused.found_by.items()},
        marks=marks,
    )
