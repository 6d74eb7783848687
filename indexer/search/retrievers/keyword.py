"""Keyword retrieval: the query's content words (`query.query_terms`), matched by the index's bm25 engine."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.index.reader import Index
from indexer.search.query import query_terms
from indexer.search.retrievers import Ranked, Scope


class KeywordRetriever:
    """OR over the query's terms, ranked by bm25 with context columns (see `index/keyword_fts5.py`)."""

    name = "keyword"
    kind = "keyword"

    def __init__(self, index: Index) -> None:
        self.index = index

    def search(self, queries: Sequence[str], depth: int, scope: Scope) -> list[Ranked]:
        return [self.index.keyword_search(query_terms(q), depth, scope.filters) for q in queries]
