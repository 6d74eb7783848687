"""Evaluation on the real model: a paraphrase with no shared word is found (the metrics, the queries file and runs
with the fake embedder are tested in tests/unit/test_evaluate.py)."""

from __future__ import annotations

from support import ENCLAVE, GARDEN, make_source

from indexer.eval.evaluate import Query, evaluate
from indexer.index.reader import Index
from indexer.index.updates import build_sources
from indexer.search.searcher import Searcher
from indexer.settings import ChunkSettings, Settings

# tiny windows so each line is a passage of its own (as in tests/unit/test_evaluate.py)
SETTINGS = Settings(chunk=ChunkSettings(max_tokens=20, overlap=0.0))


def test_real_model_finds_a_paraphrase(real_embedder, tmp_path):
    """The feature on the real model: a paraphrase with no shared content word is found by semantic search."""
    path = tmp_path / "idx"
    sources = [make_source("enclave", ENCLAVE, duration_s=150), make_source("garden", GARDEN, duration_s=80)]
    build_sources(sources, path, SETTINGS, real_embedder)
    searcher = Searcher(Index.open(path), real_embedder, SETTINGS)
    query = Query("p", "getting rid of insects on flowers", "garden", 40.0, 80.0)
    assert evaluate(searcher, [query], mode="semantic").overall.hit_at_1 == 1.0
    assert evaluate(searcher, [query], mode="keyword").overall.hit_at_10 == 0.0
