"""podquery's indexer: read episodes, cut passages, embed and index them, search the index, answer from it.

The stages, one folder each: `ingest/` (files and feeds to episodes) → `passages/` (episodes to timed passages)
→ `index/` (SQLite, the keyword engine and FAISS, written in atomic generations) → `search/` (retrievers, fusion,
hits) → `answer/` (quotes with their seconds). `cli/` and the `service` package are thin shells over the names
below, which are the public API::

    import indexer
    report = indexer.build(["episodes/"], "my-index", indexer.Settings(), indexer.load_embedder())
    searcher = indexer.Searcher(indexer.open_index("my-index"), indexer.load_embedder(), indexer.Settings())
    for hit in searcher.search("why did they drop the free trial", k=5).hits:
        print(hit.episode.title, hit.timestamp, hit.link)

Names load on first use, so `import indexer` stays cheap (no torch or FAISS until they are needed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "Settings": "indexer.settings",
    "PodqueryError": "indexer.errors", "InputError": "indexer.errors", "IndexError_": "indexer.errors",
    "QueryError": "indexer.errors", "NotFound": "indexer.errors",
    "Episode": "indexer.datamodel", "EpisodeSource": "indexer.datamodel", "Passage": "indexer.datamodel",
    "Transcript": "indexer.datamodel", "Segment": "indexer.datamodel", "Chapter": "indexer.datamodel",
    "PASSAGE_KINDS": "indexer.datamodel",
    "load_sources": "indexer.ingest.corpus", "parse_transcript": "indexer.ingest.registry",
    "episode_passages": "indexer.passages.chunking",
    "Index": "indexer.index.reader", "open_index": "indexer.index.reader",
    "build": "indexer.index.updates", "add": "indexer.index.updates", "remove": "indexer.index.updates",
    "compact": "indexer.index.updates", "build_sources": "indexer.index.updates",
    "add_sources": "indexer.index.updates", "BuildReport": "indexer.index.updates",
    "Embedder": "indexer.index.embedding", "load_embedder": "indexer.index.embedding",
    "LiveSearcher": "indexer.search.live",
    "Searcher": "indexer.search.searcher", "SearchResult": "indexer.search.hits", "Hit": "indexer.search.hits",
    "Filters": "indexer.search.filters", "Retriever": "indexer.search.retrievers",
    "MODES": "indexer.search.query", "MAX_K": "indexer.search.query", "MAX_OFFSET": "indexer.search.query",
    "MAX_QUERY_CHARS": "indexer.search.query",
    "Answer": "indexer.answer.citations", "Citation": "indexer.answer.citations",
    "ExtractiveAnswerer": "indexer.answer.extractive", "answerer_for": "indexer.answer.generative",
}
__all__ = ["__version__", "Answer", "BuildReport", "Chapter", "Citation", "Embedder", "Episode", "EpisodeSource",
    "ExtractiveAnswerer", "Filters", "Hit", "Index", "IndexError_", "InputError", "LiveSearcher", "MAX_K",
    "MAX_OFFSET", "MAX_QUERY_CHARS", "MODES", "NotFound", "PASSAGE_KINDS", "Passage", "PodqueryError",
    "QueryError", "Retriever", "SearchResult", "Searcher", "Segment", "Settings", "Transcript", "add",
    "add_sources", "answerer_for", "build", "build_sources", "compact", "episode_passages", "load_embedder",
    "load_sources", "open_index", "parse_transcript", "remove"]  # every name in _EXPORTS (a test checks)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'indexer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # what type checkers and IDEs see; at run time the names load lazily
    from indexer.answer.citations import Answer, Citation
    from indexer.answer.extractive import ExtractiveAnswerer
    from indexer.answer.generative import answerer_for
    from indexer.datamodel import PASSAGE_KINDS, Chapter, Episode, EpisodeSource, Passage, Segment, Transcript
    from indexer.errors import IndexError_, InputError, NotFound, PodqueryError, QueryError
    from indexer.index.embedding import Embedder, load_embedder
    from indexer.index.reader import Index, open_index
    from indexer.index.updates import BuildReport, add, add_sources, build, build_sources, compact, remove
    from indexer.ingest.corpus import load_sources
    from indexer.ingest.registry import parse_transcript
    from indexer.passages.chunking import episode_passages
    from indexer.search.filters import Filters
    from indexer.search.hits import Hit, SearchResult
    from indexer.search.live import LiveSearcher
    from indexer.search.query import MAX_K, MAX_OFFSET, MAX_QUERY_CHARS, MODES
    from indexer.search.retrievers import Retriever
    from indexer.search.searcher import Searcher
    from indexer.settings import Settings
