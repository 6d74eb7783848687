"""The keyword engines through the Retriever protocol on small real indexes: tantivy (the default) and FTS5 find
the same passages, stem English, weigh the context fields below the spoken words, filter before ranking and
take any user text as words."""

from __future__ import annotations

import json
import math

import pytest
from support import ENCLAVE, GARDEN, FakeEmbedder, index_sources, make_source

from indexer.index import keyword_tantivy
from indexer.index.reader import Index
from indexer.index.updates import build_sources
from indexer.search.filters import Filters
from indexer.search.retrievers import Scope
from indexer.search.retrievers.keyword import KeywordRetriever
from indexer.search.searcher import Searcher
from indexer.settings import Settings

ENGINES = ("tantivy", "fts5")


def _sources():
    """The two support episodes and a third podcast with mixed-case speakers and no date."""
    night = make_source("night", [(0, 30, "Rockets launch at night; the enclave of astronomers watches.", "Dana"),
                                  (30, 60, "Gardening by moonlight keeps tomatoes calm.", "dana")],
                        podcast="Night Sky", title="Stargazing", published=None, duration_s=60)
    return [*index_sources(), night]


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """engine -> an Index of the same episodes (same passage ids) built with that engine."""
    built = {}
    for engine in ENGINES:
        path = tmp_path_factory.mktemp(engine) / "idx"
        build_sources(_sources(), path, Settings(keyword_engine=engine), FakeEmbedder())
        built[engine] = Index.open(path)
    yield built
    for index in built.values():
        index.close()


def _search(index, query, depth=50, filters=None):
    return KeywordRetriever(index).search([query], depth, Scope(index, filters or Filters()))[0]


def _episodes(index, ranked):
    stored = index.passages([i for i, _ in ranked])
    return [stored[i].episode_id for i, _ in ranked]


def test_tantivy_is_the_default_and_lives_in_the_generation(tmp_path):
    build_sources(index_sources(), tmp_path / "idx", Settings(), FakeEmbedder())
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["keyword_engine"] == "tantivy"
    assert (tmp_path / "idx" / manifest["generation"] / keyword_tantivy.DIR / "meta.json").is_file()
    index = Index.open(tmp_path / "idx")
    ranked = _search(index, "secure enclaves")
    assert ranked and _episodes(index, ranked)[0] == "enclave"
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    assert len({i for i, _ in _search(index, "data", depth=2)}) == 2  # depth is honoured


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("query", "episode"), [("enclave", "enclave"), ("grows", "garden"), ("washing", "garden"),
                                                ("launched", "night"), ("Gardening", "garden")])
def test_english_stemming(indexes, engine, query, episode):
    # "enclave" ~ "enclaves", "grows" ~ "grow", "washing" ~ "washed", "launched" ~ "launch"
    assert episode in _episodes(indexes[engine], _search(indexes[engine], query))


@pytest.mark.parametrize("engine", ENGINES)
def test_spoken_words_outweigh_the_same_word_in_a_title(tmp_path, engine):
    # the same word, once, in a field of the same length: said in one episode, in the other's title only
    lines = {"said": "zebra crossing at night", "titled": "crossing roads at night", "other": "nothing to see here"}
    titles = {"said": "Episode about roads tonight", "titled": "Episode about zebra tonight",
              "other": "Episode about nothing tonight"}
    sources = [make_source(eid, [(0, 10, text, None)], title=titles[eid], duration_s=10) for eid, text in lines.items()]
    build_sources(sources, tmp_path / "idx", Settings(keyword_engine=engine), FakeEmbedder())
    index = Index.open(tmp_path / "idx")
    ranked = _search(index, "zebra")
    assert _episodes(index, ranked) == ["said", "titled"]
    # tantivy: BM25 over the whole row (idf of 2 rows in 3) plus 0.1 of BM25 over the spoken words (1 row in 3);
    # FTS5: the title's weight scales the term's count inside one BM25 over the row (0.6 * 2.2 / (0.6 + 1.2))
    row, spoken = math.log(1 + 1.5 / 2.5), math.log(1 + 2.5 / 1.5)
    expected = {"tantivy": row / (row + 0.1 * spoken), "fts5": 0.6 * 2.2 / 1.8}[engine]
    assert ranked[1][1] / ranked[0][1] == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("query", ["secure enclaves", "tomatoes compost", "data", "rockets night", "roses",
                                   "Illia tokens", "garden hour", "astronomers"])
def test_both_engines_find_the_same_passages(indexes, query):
    found = {engine: _search(index, query) for engine, index in indexes.items()}
    assert found["tantivy"], query
    assert {i for i, _ in found["tantivy"]} == {i for i, _ in found["fts5"]}
    assert found["tantivy"][0][0] == found["fts5"][0][0]


FILTERS = [Filters(podcast="garden hour"), Filters(podcast="NIGHT SKY"), Filters(episode="enclave"),
           Filters(speaker="DANA"), Filters(speaker="illia"), Filters(kind="transcript"), Filters(kind="summary"),
           Filters(after="2024-01-01"), Filters(before="2024-01-01"), Filters(after="2023-05-01", before="2023-05-01"),
           Filters(after="2024"), Filters(before="2025-09"), Filters(podcast="AI Talk", after="2025-01-01"),
           Filters(podcast="nobody")]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in vars(f).items() if v))
def test_filters_apply_before_ranking(indexes, filters):
    query = "data tomatoes enclaves rockets gardening roses night"
    for engine, index in indexes.items():
        allowed = set(index.allowed_ids(filters) or [])
        unfiltered = {i for i, _ in _search(index, query, depth=100)}
        ranked = _search(index, query, depth=100, filters=filters)
        # exactly the matching passages the filters allow, however low they rank unfiltered: a depth of 1 too
        assert {i for i, _ in ranked} == unfiltered & allowed, engine
        if ranked:
            assert _search(index, query, depth=1, filters=filters)[0][0] == ranked[0][0]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("query", [
    '"AI" OR (', "title:enclaves", "text:* AND NOT", "id:1", "[1 TO 9]", "{a TO b}", "*:*", "enclaves~2",
    "enclaves^100", "+secure -enclaves", "a\\b\\", '""""', "(((", "IN [a b]", "/.*/", "\x00enclaves\x00", "ünïcødé",
    "🌹 roses 🌹", "x" * 1000, "word" * 60, "_".join(["secure"] * 50), "AND OR NOT", "drop table passages; --",
])
def test_any_user_text_is_searched_as_words(indexes, engine, query):
    index = indexes[engine]
    searcher = Searcher(index, FakeEmbedder(), Settings())
    for mode in ("keyword", "hybrid"):
        searcher.search(query, k=5, mode=mode)  # never raises
    assert _search(index, query, depth=5) is not None


@pytest.mark.parametrize("engine", ENGINES)
def test_operators_and_field_names_are_plain_words(indexes, engine):
    index = indexes[engine]
    assert _episodes(index, _search(index, "title:enclaves"))[0] == "enclave"  # not a field query on title
    assert "garden" in _episodes(index, _search(index, "roses NOT"))  # not an exclusion
    assert _search(index, "!!! ??? ...") == []


def test_segments_of_the_support_episodes_are_all_indexed(indexes):
    for engine, index in indexes.items():
        assert index.keyword.count() == index.counts()["passages"] >= len(ENCLAVE + GARDEN) // 2, engine
