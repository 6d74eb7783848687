"""Index features on the real model: saved and loaded indexes rank alike, semantic search finds meaning, hybrid
keeps keyword-only hits, filters fill k, an index opened with another model says how to fix it, and the vectors an
update reuses are the real ones (the logic, with the fake embedder, is tested in tests/unit/test_index.py and
tests/unit/test_updates.py)."""

from __future__ import annotations

import pytest
from support import FakeEmbedder, index_sources, topic_episode

from indexer.errors import IndexError_
from indexer.index.reader import Index
from indexer.index.updates import add_sources, build_sources
from indexer.search.filters import Filters
from indexer.search.searcher import Searcher
from indexer.settings import Settings

SETTINGS = Settings()


def _build(path, embedder, sources=None):
    return build_sources(sources or index_sources(), path, SETTINGS, embedder)


def test_save_then_load_gives_identical_hits_with_the_real_model(tmp_path, real_embedder):
    _build(tmp_path / "idx", real_embedder)
    first = Searcher(Index.open(tmp_path / "idx"), real_embedder, SETTINGS).search("hardware that protects data", k=5)
    again = Searcher(Index.open(tmp_path / "idx"), real_embedder, SETTINGS).search("hardware that protects data", k=5)
    assert [(h.id, h.score) for h in first.hits] == [(h.id, h.score) for h in again.hits]
    top = first.hits[0]
    assert top.episode.id == "enclave"
    assert top.chapter is not None and top.chapter.title == "Secure Enclaves"
    assert top.link.startswith("https://example.com/a.mp3#t=")


def test_semantic_search_finds_meaning_without_shared_words(tmp_path, real_embedder):
    _build(tmp_path / "idx", real_embedder)
    searcher = Searcher(Index.open(tmp_path / "idx"), real_embedder, SETTINGS)
    hits = searcher.search("pest control for flowers", k=3, mode="semantic").hits
    assert hits[0].episode.id == "garden" and "Aphids" in hits[0].text
    assert searcher.search("pest control for flowers", k=3, mode="keyword").hits == []
    hybrid = searcher.search("pest control for flowers", k=3, mode="hybrid").hits
    assert "Aphids" in hybrid[0].text and set(hybrid[0].explain) == {"semantic"}


def test_hybrid_keeps_keyword_only_hits(tmp_path, real_embedder):
    _build(tmp_path / "idx", real_embedder)
    searcher = Searcher(Index.open(tmp_path / "idx"), real_embedder, SETTINGS)
    hits = searcher.search("soapy", k=10, mode="hybrid").hits
    assert "soapy" in hits[0].text and "keyword" in hits[0].explain
    assert "«soapy»" in hits[0].snippet


def test_filters_apply_before_ranking_and_fill_k(tmp_path, real_embedder):
    _build(tmp_path / "idx", real_embedder)
    searcher = Searcher(Index.open(tmp_path / "idx"), real_embedder, SETTINGS)
    garden_count = searcher.index.conn.execute(
        "SELECT count(*) FROM passages WHERE episode_id='garden'").fetchone()[0]
    for mode in ("semantic", "keyword", "hybrid"):
        hits = searcher.search("secure enclaves confidential computing", k=garden_count, mode=mode,
                               filters=Filters(podcast="garden hour")).hits
        if mode == "keyword":
            assert hits == []  # no garden passage has those words
            continue
        assert len(hits) == garden_count and {h.episode.id for h in hits} == {"garden"}
    assert {h.episode.id for h in searcher.search("data", k=10, filters=Filters(after="2024-01-01")).hits} == {"enclave"}
    assert {h.episode.id for h in searcher.search("data", k=10, filters=Filters(before="2024-01-01")).hits} <= {"garden"}
    spoken = searcher.search("data", k=10, filters=Filters(speaker="illia")).hits
    assert spoken and all("Illia" in h.speakers for h in spoken)
    assert all(h.kind == "chapter" for h in searcher.search("enclaves", k=5, filters=Filters(kind="chapter")).hits)


def test_opening_with_another_model_says_how_to_fix(tmp_path, real_embedder):
    _build(tmp_path / "idx", FakeEmbedder())
    with pytest.raises(IndexError_, match="rebuild"):
        Searcher(Index.open(tmp_path / "idx"), real_embedder, SETTINGS)


def test_reused_vectors_are_the_real_ones(tmp_path, real_embedder):
    settings = Settings()
    path = tmp_path / "idx"
    build_sources([topic_episode("a")], path, settings, real_embedder)
    before = Searcher(Index.open(path), real_embedder, settings).search("rockets", k=3, mode="semantic").hits
    add_sources([topic_episode("a")], path, settings, real_embedder)
    after = Searcher(Index.open(path), real_embedder, settings).search("rockets", k=3, mode="semantic").hits
    assert [(h.text, round(h.explain["semantic"]["score"], 4)) for h in before] == \
        [(h.text, round(h.explain["semantic"]["score"], 4)) for h in after]
    assert any("rockets" in h.text for h in after)
