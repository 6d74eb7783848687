"""Add, replace and remove episodes without a rebuild; unchanged passages keep their vectors; HNSW tombstones."""

from __future__ import annotations

import pytest
from support import FakeEmbedder, topic_episode

from indexer.errors import NotFound
from indexer.index import updates as builder
from indexer.index.reader import Index
from indexer.index.updates import add_sources, build_sources
from indexer.search.searcher import Searcher
from indexer.settings import Settings


def _ids(path):
    index = Index.open(path)
    return {r[0] for r in index.conn.execute("SELECT DISTINCT episode_id FROM passages")}


@pytest.mark.parametrize("factory", ["Flat", "HNSW32"])
def test_add_remove_readd_round_trip(tmp_path, factory):
    settings = Settings(faiss_factory=factory)
    emb = FakeEmbedder()
    path = tmp_path / "idx"
    build_sources([topic_episode("a")], path, settings, emb)
    add_sources([topic_episode("b")], path, settings, emb)
    assert _ids(path) == {"a", "b"}
    builder.remove(["a"], path, settings, emb)
    assert _ids(path) == {"b"}
    searcher = Searcher(Index.open(path), emb, settings)
    hits = searcher.search("compilers databases", k=20, mode="semantic").hits
    assert hits and {h.episode.id for h in hits} == {"b"}  # a removed episode never shows up
    if factory == "HNSW32":
        assert Index.open(path).counts()["tombstones"] > 0
        report = builder.compact(path, settings, emb)
        assert report.removed > 0 and Index.open(path).counts()["tombstones"] == 0
        assert len(Index.open(path).vectors) == Index.open(path).counts()["passages"]
    add_sources([topic_episode("a")], path, settings, emb)
    assert _ids(path) == {"a", "b"}
    with pytest.raises(NotFound):
        builder.remove(["nope"], path, settings, emb)
    assert _ids(path) == {"a", "b"}  # a failed remove changes nothing


def test_readding_with_one_changed_chapter_embeds_only_changed_passages(tmp_path):
    settings = Settings()
    emb = FakeEmbedder()
    path = tmp_path / "idx"
    build_sources([topic_episode("a"), topic_episode("b")], path, settings, emb)
    total = Index.open(path).counts()["passages"]
    changed = topic_episode("a", chapters=((0, "One"), (80, "Second half")))  # retitle chapter 2 only
    emb.texts_embedded = 0
    report = add_sources([changed], path, settings, emb)
    # the chapter passage and the transcript passages of chapter 2 change; chapter 1's do not
    assert 0 < emb.texts_embedded == report.embedded < report.passages
    index = Index.open(path)
    assert index.counts()["passages"] == total
    titles = {r[0] for r in index.conn.execute("SELECT chapter_title FROM passages WHERE episode_id='a'")}
    assert titles == {"One", "Second half"}
    # the same episode again changes nothing and embeds nothing
    emb.texts_embedded = 0
    add_sources([changed], path, settings, emb)
    assert emb.texts_embedded == 0


def test_auto_vectors_are_exact_when_small_and_become_hnsw_past_the_size(tmp_path):
    emb = FakeEmbedder()
    path = tmp_path / "idx"
    small = build_sources([topic_episode("a")], path, Settings(), emb)
    assert Index.open(path).manifest.faiss_factory == "Flat" and small.passages > 0
    # past `hnsw_from` passages, the next commit rebuilds the vectors as HNSW from the stored ones
    grown = Settings(hnsw_from=small.passages + 1)
    add_sources([topic_episode("b")], path, grown, emb)
    index = Index.open(path)
    assert index.manifest.faiss_factory == "HNSW32" and len(index.vectors) == index.counts()["passages"]
    hits = Searcher(index, emb, grown).search("compilers databases", k=50, mode="semantic").hits
    assert {h.episode.id for h in hits} == {"a", "b"}
    # an explicit factory is kept whatever the size
    build_sources([topic_episode("a"), topic_episode("b")], tmp_path / "flat", Settings(faiss_factory="Flat",
                                                                                       hnsw_from=1), emb)
    assert Index.open(tmp_path / "flat").manifest.faiss_factory == "Flat"
