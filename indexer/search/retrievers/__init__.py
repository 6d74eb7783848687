"""Retrievers: each turns queries into ranked passage ids with raw scores; the Searcher fuses what they find.

A retriever is anything with the `Retriever` shape. `kind` says which search modes use it ("keyword" or
"semantic"; "hybrid" uses all), and its `name` keys its fusion weight (`Settings.weights`) and its entry in a
hit's `explain`. A third retriever (or a back end that does both) plugs in by being passed to `Searcher`, without
touching the searcher, the routes or the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from indexer.index.reader import Index, Ranked
from indexer.search.filters import Filters


@dataclass
class Scope:
    """Which passages a search may return: the filters, and (computed once per request, on first use) the ids
    they allow; None when nothing is filtered."""

    index: Index
    filters: Filters = field(default_factory=Filters)
    _allowed: list[int] | None = None
    _computed: bool = False
    # the queries' embeddings, left by the semantic retriever for the second stage (embedded once per request)
    query_vectors: np.ndarray | None = None

    @property
    def allowed(self) -> list[int] | None:
        if not self._computed:
            self._allowed = self.index.allowed_ids(self.filters)
            self._computed = True
        return self._allowed


class Retriever(Protocol):
    """One way of finding passages. `search` returns, per query, up to `depth` (passage id, raw score) best first,
    only among passages the scope allows (filters apply before ranking, not after)."""

    name: str
    kind: str

    def search(self, queries: Sequence[str], depth: int, scope: Scope) -> list[Ranked]: ...
