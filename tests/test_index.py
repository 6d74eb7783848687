"""Index build, save, load and search on small episodes: logic with the fake embedder, features with the real model."""

from __future__ import annotations

import json

import pytest
from support import ENCLAVE, GARDEN, FakeEmbedder, make_source

from indexer.errors import IndexError_, QueryError
from indexer.index import keyword_fts5
from indexer.index.reader import Index
from indexer.index.writer import IndexWriter
from indexer.search.filters import Filters
from indexer.index.updates import build_sources
from indexer.search.searcher import Searcher
from indexer.settings import Settings

SETTINGS = Settings()

def _sources():
    return [
        make_source("enclave", ENCLAVE, podcast="AI Talk", title="Private AI with Illia",
                    chapters=[(0, "Intro"), (30, "Secure Enclaves"), (110, "Tokens")], duration_s=150,
                    published="2025-09-30"),
        make_source("garden", GARDEN, podcast="Garden Hour", title="Roses and tomatoes", duration_s=80,
                    published="2023-05-01"),
    ]


def _build(path, embedder, sources=None):
    return build_sources(sources or _sources(), path, SETTINGS, embedder)


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
        Searcher.__new__(Searcher)  # noqa: B018 - construct nothing; check_query is module level
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


def test_opening_with_another_model_says_how_to_fix(tmp_path, real_embedder):
    _build(tmp_path / "idx", FakeEmbedder())
    with pytest.raises(IndexError_, match="rebuild"):
        Searcher(Index.open(tmp_path / "idx"), real_embedder, SETTINGS)


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
    with pytest.raises(RuntimeError):
        with IndexWriter(tmp_path / "idx", FakeEmbedder(), SETTINGS, fresh=True) as writer:
            writer.add(_sources()[:1])
            raise RuntimeError("killed mid-build")
    assert Index.open(tmp_path / "idx").counts() == before
    assert [p.name for p in (tmp_path / "idx").iterdir() if p.name.startswith("gen-")] == \
        [json.loads((tmp_path / "idx" / "manifest.json").read_text())["generation"]]


def test_keyword_query_is_parameterised():
    assert keyword_fts5.fts_query('"AI" OR (') == '"ai"'
    assert keyword_fts5.fts_query('the who') == '"the" OR "who"'
    assert keyword_fts5.fts_query("!!!") is None
