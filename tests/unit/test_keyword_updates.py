"""The tantivy keyword side across generations: add, remove and compact; a writer killed at any point leaves the
old generation answering; an index keeps the engine it was built with; closing lets go of removed files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from conftest import REPO, TESTS
from support import FakeEmbedder, index_sources, topic_episode

from indexer.errors import IndexError_
from indexer.index import keyword_tantivy
from indexer.index import updates as builder
from indexer.index.reader import Index
from indexer.index.updates import add_sources, build_sources, switch_keyword_engine
from indexer.search.filters import Filters
from indexer.search.retrievers import Scope
from indexer.search.retrievers.keyword import KeywordRetriever
from indexer.settings import Settings

SETTINGS = Settings()
DANCING = [(0, 20, "Tango and waltz: ballroom dancing explained.", "Bo")]


def _found(path, query, depth=50):
    """Episode ids of the keyword hits for `query` in the index at `path`, best first."""
    index = Index.open(path)
    try:
        ranked = KeywordRetriever(index).search([query], depth, Scope(index, Filters()))[0]
        stored = index.passages([i for i, _ in ranked])
        return [stored[i].episode_id for i, _ in ranked]
    finally:
        index.close()


def _deleted_documents(path):
    """Documents the current generation's tantivy segments still hold but mark deleted (tantivy's meta.json)."""
    generation = json.loads((path / "manifest.json").read_text())["generation"]
    meta = json.loads((path / generation / keyword_tantivy.DIR / "meta.json").read_text())
    return sum((segment.get("deletes") or {}).get("num_deleted_docs", 0) for segment in meta["segments"])


def test_add_replace_remove_compact(tmp_path):
    path = tmp_path / "idx"
    emb = FakeEmbedder()
    build_sources([topic_episode("a"), topic_episode("b")], path, SETTINGS, emb)
    assert set(_found(path, "rockets")) == {"a", "b"}
    add_sources([topic_episode("c", lines=DANCING)], path, SETTINGS, emb)
    assert _found(path, "dancing") == ["c"] and set(_found(path, "rockets")) == {"a", "b"}
    add_sources([topic_episode("b", lines=DANCING)], path, SETTINGS, emb)  # replaced: its old words are gone
    assert set(_found(path, "rockets")) == {"a"} and set(_found(path, "ballroom")) == {"b", "c"}
    before = {q: sorted(_found(path, q)) for q in ("tango", "waltz ballroom", "compilers", "rockets")}
    assert _deleted_documents(path) > 0  # b's old passages, marked deleted in a segment shared with a's
    builder.compact(path, SETTINGS, emb)
    assert _deleted_documents(path) == 0  # compaction rebuilt the segments without them
    index = Index.open(path)
    assert index.keyword.count() == index.counts()["passages"] > 0
    assert json.loads((path / "manifest.json").read_text())["keyword_engine"] == "tantivy"
    assert {q: sorted(_found(path, q)) for q in before} == before  # b and c tie: their order may change
    builder.remove(["a"], path, SETTINGS, emb)
    assert _found(path, "rockets") == [] and set(_found(path, "waltz")) == {"b", "c"}


def test_an_open_generation_keeps_answering_while_updates_land(tmp_path):
    path = tmp_path / "idx"
    emb = FakeEmbedder()
    build_sources([topic_episode("a")], path, SETTINGS, emb)
    old = Index.open(path)
    retriever = KeywordRetriever(old)
    first = retriever.search(["sailing"], 10, Scope(old))[0]
    for n in range(3):  # each update links the files of the one before, then removes the old generation
        add_sources([topic_episode(f"x{n}")], path, SETTINGS, emb)
    builder.remove(["a"], path, SETTINGS, emb)
    assert retriever.search(["sailing"], 10, Scope(old))[0] == first
    old.close()
    assert set(_found(path, "sailing")) == {"x0", "x1", "x2"}


KILLER = """
import os, signal, sys
sys.path[:0] = [{repo!r}, {tests!r}]
from support import FakeEmbedder, topic_episode
from indexer.index.writer import IndexWriter
from indexer.settings import Settings
writer = IndexWriter({path!r}, FakeEmbedder(), Settings(), fresh={fresh})
writer.add([topic_episode("new", lines=[(0, 20, "Kayaks and canoes on a quiet river.", "Ann")])])
if {flushed}:
    writer.keyword.flush()  # the new generation's keyword files complete, the manifest not yet replaced
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("fresh", [True, False], ids=["build", "update"])
@pytest.mark.parametrize("flushed", [False, True], ids=["writing", "keyword-committed"])
def test_a_killed_writer_leaves_the_old_generation_answering(tmp_path, fresh, flushed):
    path = tmp_path / "idx"
    build_sources(index_sources(), path, SETTINGS, FakeEmbedder())
    manifest = (path / "manifest.json").read_text()
    before = {q: _found(path, q) for q in ("secure enclaves", "tomatoes", "kayaks")}
    code = KILLER.format(repo=str(REPO), tests=str(TESTS), path=str(path), fresh=fresh, flushed=flushed)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert len([p for p in path.iterdir() if p.name.startswith("gen-")]) == 2  # it got as far as writing
    assert (path / "manifest.json").read_text() == manifest
    assert {q: _found(path, q) for q in before} == before and before["kayaks"] == []
    add_sources([topic_episode("next")], path, SETTINGS, FakeEmbedder())  # the next writer clears what was left
    assert len([p for p in path.iterdir() if p.name.startswith("gen-")]) == 1
    assert _found(path, "secure enclaves")[0] == "enclave" and _found(path, "kayaks") == []


def test_an_index_keeps_its_engine_and_can_be_switched(tmp_path):
    path = tmp_path / "idx"
    emb = FakeEmbedder()
    build_sources(index_sources(), path, Settings(keyword_engine="fts5"), emb)
    fts5 = {q: _found(path, q) for q in ("secure enclaves", "tomatoes roses", "data")}
    add_sources([topic_episode("a")], path, SETTINGS, emb)  # the setting says tantivy; the index says fts5
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["keyword_engine"] == "fts5"
    assert not (path / manifest["generation"] / keyword_tantivy.DIR).exists()
    builder.remove(["a"], path, SETTINGS, emb)
    report = switch_keyword_engine(path, SETTINGS, "tantivy")  # no model: the text is in SQLite
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["keyword_engine"] == "tantivy" and report.passages == manifest["counts"]["passages"]
    assert (path / manifest["generation"] / keyword_tantivy.DIR).is_dir()
    assert {q: set(_found(path, q)) for q in fts5} == {q: set(v) for q, v in fts5.items()}
    assert not Index.open(path).conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'passages_fts'").fetchone()[0]


def test_an_index_from_before_tantivy_opens_with_fts5(tmp_path):
    path = tmp_path / "idx"
    build_sources(index_sources(), path, Settings(keyword_engine="fts5"), FakeEmbedder())
    data = json.loads((path / "manifest.json").read_text())
    del data["keyword_engine"]  # what every index built before this change has
    (path / "manifest.json").write_text(json.dumps(data))
    index = Index.open(path)
    assert index.keyword.name == "fts5" and _found(path, "secure enclaves")[0] == "enclave"


def test_unknown_engines_are_refused_with_the_fix(tmp_path):
    with pytest.raises(IndexError_, match="PODQUERY_KEYWORD_ENGINE='lucene' is not one of tantivy, fts5"):
        build_sources(index_sources(), tmp_path / "idx", Settings(keyword_engine="lucene"), FakeEmbedder())
    assert not (tmp_path / "idx").exists() or not any(p.name.startswith("gen-") for p in (tmp_path / "idx").iterdir())
    build_sources(index_sources(), tmp_path / "idx", SETTINGS, FakeEmbedder())
    data = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    data["keyword_engine"] = "lucene"
    (tmp_path / "idx" / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(IndexError_, match="unknown keyword engine 'lucene'"):
        Index.open(tmp_path / "idx")


def test_a_missing_keyword_directory_is_reported_as_damage(tmp_path):
    build_sources(index_sources(), tmp_path / "idx", SETTINGS, FakeEmbedder())
    generation = json.loads((tmp_path / "idx" / "manifest.json").read_text())["generation"]
    for file in (tmp_path / "idx" / generation / keyword_tantivy.DIR).iterdir():
        file.unlink()
    (tmp_path / "idx" / generation / keyword_tantivy.DIR).rmdir()
    with pytest.raises(IndexError_, match="damaged.*rebuild"):
        Index.open(tmp_path / "idx")


def _deleted_keyword_maps() -> int:
    """Memory maps this process holds on tantivy files that have been deleted (disk space not given back)."""
    with open(f"/proc/{os.getpid()}/maps") as fh:
        return sum(keyword_tantivy.DIR in line and "(deleted)" in line for line in fh)


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs Linux /proc")
def test_closing_an_index_lets_go_of_its_removed_files(tmp_path):
    path = tmp_path / "idx"
    build_sources(index_sources(), path, SETTINGS, FakeEmbedder())
    baseline = _deleted_keyword_maps()
    old = Index.open(path)
    KeywordRetriever(old).search(["secure enclaves"], 10, Scope(old))
    add_sources([topic_episode("a")], path, SETTINGS, FakeEmbedder())  # removes the generation `old` reads
    held = _deleted_keyword_maps()
    old.close()
    assert held > baseline  # the open generation still maps its files
    assert _deleted_keyword_maps() == baseline
