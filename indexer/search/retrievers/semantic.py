"""Semantic retrieval: the queries embedded together, nearest passages by cosine in the index's FAISS vectors."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.index.embedding import Embedder
from indexer.index.reader import Index
from indexer.search.retrievers import Ranked, Scope


class SemanticRetriever:
    """Dense retrieval with the embedder that built the index (the searcher checks they match)."""

    name = "semantic"
    kind = "semantic"

    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder

    def search(self, queries: Sequence[str], depth: int, scope: Scope) -> list[Ranked]:
        vectors = self.embedder.embed(list(queries))
        scope.query_vectors = vectors
        return self.index.vector_search(vectors, depth, scope.allowed)
