"""Search an index: run the retrievers a mode asks for, fuse their rankings, and turn the best into hits.

Modes: `keyword` uses the keyword retrievers, `semantic` the semantic ones, `hybrid` all of them, fused with
weighted reciprocal rank fusion (`fusion.py`; weights and constant from `Settings`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from indexer.errors import QueryError
from indexer.index.embedding import Embedder
from indexer.index.reader import Index
from indexer.search.filters import Filters
from indexer.search.fusion import Fused, rrf
from indexer.search.hits import Hit, SearchResult, make_hit
from indexer.search.query import DEFAULT_MODE, TermMatcher, check_query, query_terms, term_weights
from indexer.search.rerank import default_ranker
from indexer.search.rerank.stage import SecondStage
from indexer.search.retrievers import Retriever, Scope
from indexer.search.retrievers.keyword import KeywordRetriever
from indexer.search.retrievers.semantic import SemanticRetriever
from indexer.settings import Settings


def default_retrievers(index: Index, embedder: Embedder | None) -> list[Retriever]:
    """Keyword over the index's bm25 engine, plus semantic over its vectors when there is an embedder."""
    retrievers: list[Retriever] = [KeywordRetriever(index)]
    if embedder is not None:
        retrievers.append(SemanticRetriever(index, embedder))
    return retrievers


class Searcher:
    """One library API for the CLI, the service and the tests. Thread-safe for reads."""

    def __init__(self, index: Index, embedder: Embedder | None, settings: Settings,
                 retrievers: Sequence[Retriever] | None = None, second_stage: SecondStage | None = None) -> None:
        """`retrievers` default to keyword and (with an embedder) semantic; `second_stage` to the packaged ranker
        when `settings.rerank` is on. The second stage reorders hybrid searches only: it reads both retrievers."""
        if embedder is not None:
            index.manifest.check_model(embedder.name, embedder.dimension, embedder.fingerprint, index.path)
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.retrievers = list(retrievers) if retrievers is not None else default_retrievers(index, embedder)
        if second_stage is None and settings.rerank and embedder is not None:
            second_stage = SecondStage(index, default_ranker(), settings.rerank_depth)
        self.second_stage = second_stage

    def search(self, query: str, *, k: int = 10, mode: str = DEFAULT_MODE, filters: Filters | None = None,
               offset: int = 0, group_by_episode: bool = False) -> SearchResult:
        return self.search_batch([query], k=k, mode=mode, filters=filters, offset=offset,
                                 group_by_episode=group_by_episode)[0]

    def search_batch(self, queries: Sequence[str], *, k: int = 10, mode: str = DEFAULT_MODE,
                     filters: Filters | None = None, offset: int = 0,
                     group_by_episode: bool = False) -> list[SearchResult]:
        """Many queries in one call; each retriever gets them together (embeddings are computed in one batch)."""
        started = time.perf_counter()
        texts = [check_query(q, k, mode, offset) for q in queries]
        first, scope = self.first_stage(texts, k=k, mode=mode, filters=filters, offset=offset,
                                        group_by_episode=group_by_episode)
        results = []
        for n, (text, fused) in enumerate(zip(texts, first, strict=True)):
            if mode == "hybrid" and self.second_stage is not None and scope.query_vectors is not None:
                fused = self.second_stage.rerank(query_terms(text), fused, scope.query_vectors[n])
            hits = self._hits(fused, text, offset + k, group_by_episode)
            results.append(SearchResult(text, mode, hits[offset:offset + k], 0.0))
        took = round((time.perf_counter() - started) * 1000, 2)
        for r in results:
            r.took_ms = took
        return results

    def first_stage(self, texts: Sequence[str], *, k: int = 10, mode: str = DEFAULT_MODE,
                    filters: Filters | None = None, offset: int = 0, group_by_episode: bool = False
                    ) -> tuple[list[list[Fused]], Scope]:
        """Each query's fused ranking before the second stage (what the ranker is trained on), and the scope,
        which holds the query embeddings when a semantic retriever ran. `texts` are already checked."""
        scope = Scope(self.index, filters or Filters())
        depth = max(50, (offset + k) * (10 if group_by_episode else 3))
        ranked: dict[str, list[list[tuple[int, float]]]] = {
            r.name: r.search(texts, depth, scope) for r in self._for_mode(mode)}
        weights = {name: self.settings.weight(name) for name in ranked}
        fused = [rrf({name: lists[n] for name, lists in ranked.items()}, weights, self.settings.rrf_k)
                 for n in range(len(texts))]
        return fused, scope

    def _for_mode(self, mode: str) -> list[Retriever]:
        wanted = [r for r in self.retrievers if mode == "hybrid" or r.kind == mode]
        if mode in ("semantic", "hybrid") and not any(r.kind == "semantic" for r in wanted):
            raise QueryError(f"mode {mode!r} needs the embedding model; use mode 'keyword' or load the model")
        return wanted

    def stored_texts(self, ids: Sequence[int]) -> dict[int, str]:
        """Passage text as stored, read afresh: what citations are verified against."""
        return {pid: p.text for pid, p in self.index.passages(ids).items()}

    def _hits(self, fused: list[Fused], query: str, limit: int, group_by_episode: bool) -> list[Hit]:
        """The first `limit` hits (best per episode when grouping); snippets are made for those only."""
        stored = self.index.passages([f.id for f in fused])
        terms = query_terms(query)
        # rarity among the best candidates (as many as the second stage reads) picks the second to seek to; one
        # matcher serves every hit and segment of this search
        matcher = TermMatcher(terms)
        best = [stored[f.id].text for f in fused[:self.settings.rerank_depth] if f.id in stored]
        weights = term_weights(matcher, best)

        def seek_score(text: str) -> float:
            return matcher.weighted(text, weights)

        hits: list[Hit] = []
        episodes: set[str] = set()
        for f in fused:
            passage = stored.get(f.id)
            if passage is None:  # a vector whose passage is gone (a removed episode in an index that cannot remove)
                continue
            if group_by_episode:
                if passage.episode_id in episodes:
                    continue
                episodes.add(passage.episode_id)
            hits.append(make_hit(passage, f, terms, seek_score, self.settings.seek_window_s))
            if len(hits) >= limit:
                break
        return hits
