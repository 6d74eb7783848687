"""Index build, save, load and search on small episodes: the logic, with the fake embedder.

The same features on the real model are in tests/model/test_index_real_model.py.
"""

from __future__ import annotations

import json

import pytest
from support import FakeEmbedder, index_sources

from indexer.errors import IndexError_, QueryError
from indexer.index import keyword_fts5
from indexer.index.reader import Index
from indexer.index.updates import build_sources
from indexer.index.writer import IndexWriter
from indexer.search.searcher import Searcher
from indexer.settings import Settings

SETTINGS = Settings()


def _build(path, embedder, sources=None):
    return build_sources(sources or index_sources(), path, SETTINGS, embedder)


def test_build_writes_manifest_sqlite_and_faiss(tmp_path):
    report = _build(tmp_path / "idx", FakeEmbedder())
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["format_version"] == 1
    assert manifest["model"] == {"name": "fake-bow", "dimension": 64, "fingerprint": "fake0001"}
    assert manifest["chunking"]["max_tokens"] == SETTINGS.chunk.max_tokens
    assert manifest["counts"]["episodes"] == 2 == report.episodes
    index = Index.open(tmp_path / "idx")
    assert len(index.vectors) == index.counts()["passages"] == report.passages
    # passage id = FAISS id = SQLite row id
    ids = [r[0] for r in index.conn.execute("SELECT id FROM passages")]
    found = index.vectors.search(FakeEmbedder().embed(["secure enclaves"]), 100)[0]
    assert {i for i, _ in found} == set(ids)


@pytest.mark.parametrize("query", ['"AI" OR (', "drop table passages; --", "NEAR(a b)", "title:*", "' OR 1=1 --",
                                   "enclaves)", "^secure", "AND", "*"])
def test_hostile_queries_are_searched_as_words(tmp_path, query):
    _build(tmp_path / "idx", FakeEmbedder())
    searcher = Searcher(Index.open(tmp_path / "idx"), FakeEmbedder(), SETTINGS)
    for mode in ("keyword", "hybrid"):
        searcher.search(query, k=5, mode=mode)  # no exception: operators are plain words
    assert searcher.index.counts()["passages"] > 0  # and nothing was dropped
    ai = searcher.search('"AI" OR (', k=5, mode="keyword").hits
    assert ai and all("ai" in (h.text + h.episode.title).lower() for h in ai)


def test_query_validation():
    with pytest.raises(QueryError):
        Searcher.__new__(Searcher)  # construct nothing; check_query is module level
        from indexer.search.query import check_query
        check_query("   ", 10, "hybrid")
    from indexer.search.query import check_query
    with pytest.raises(QueryError):
        check_query("x" * 1001, 10, "hybrid")
    with pytest.raises(QueryError):
        check_query("ok", 0, "hybrid")
    with pytest.raises(QueryError):
        check_query("ok", 10, "fuzzy")


def test_group_by_episode_and_batch(tmp_path):
    _build(tmp_path / "idx", FakeEmbedder())
    searcher = Searcher(Index.open(tmp_path / "idx"), FakeEmbedder(), SETTINGS)
    grouped = searcher.search("data garden", k=10, group_by_episode=True).hits
    assert len({h.episode.id for h in grouped}) == len(grouped) == 2
    embedder = searcher.embedder
    calls = embedder.calls
    results = searcher.search_batch(["enclaves", "tomatoes", "roses"], k=2)
    assert embedder.calls == calls + 1  # embedded together
    assert results[1].hits[0].episode.id == "garden"


def test_not_an_index_and_wrong_format(tmp_path):
    with pytest.raises(IndexError_, match="build"):
        Index.open(tmp_path)
    _build(tmp_path / "idx", FakeEmbedder())
    manifest = tmp_path / "idx" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["format_version"] = 99
    manifest.write_text(json.dumps(data))
    with pytest.raises(IndexError_, match="format 99"):
        Index.open(tmp_path / "idx")


def test_refuses_to_build_into_a_foreign_directory(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(IndexError_, match="not a podquery index"):
        _build(tmp_path / "mine", FakeEmbedder())
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def test_failed_write_leaves_previous_index(tmp_path):
    _build(tmp_path / "idx", FakeEmbedder())
    before = Index.open(tmp_path / "idx").counts()
    with pytest.raises(RuntimeError), IndexWriter(tmp_path / "idx", FakeEmbedder(), SETTINGS, fresh=True) as writer:
        writer.add(index_sources()[:1])
        raise RuntimeError("killed mid-build")
    assert Index.open(tmp_path / "idx").counts() == before
    assert [p.name for p in (tmp_path / "idx").iterdir() if p.name.startswith("gen-")] == \
        [json.loads((tmp_path / "idx" / "manifest.json").read_text())["generation"]]


def test_keyword_query_is_parameterised():
    assert keyword_fts5.fts_query('"AI" OR (') == '"ai"'
    assert keyword_fts5.fts_query('the who') == '"the" OR "who"'
    assert keyword_fts5.fts_query("!!!") is None
