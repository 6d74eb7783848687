"""A live searcher closes the generations it replaces once their last lease ends (defect 8: a service held 22
handles on deleted `passages.sqlite` files after 100 writes)."""

from __future__ import annotations

import gc
import os
import sqlite3
import threading

import pytest
from support import FakeEmbedder, make_source, sqlite_handles

from indexer.index.updates import add_sources, build_sources
from indexer.search.live import LiveSearcher
from indexer.settings import Settings

SETTINGS = Settings()
WRITES = 30


def _src(eid: str, word: str):
    return make_source(eid, [(i * 10.0, i * 10.0 + 10, f"We talk about {word} number {i} today.", "Ann")
                             for i in range(5)], title=f"About {word}")


@pytest.fixture()
def no_gc():
    """Handles must close because the searcher closes them, not because a collection happened to run."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts handles through /proc")
def test_replaced_generations_close_while_searches_go_on(tmp_path, no_gc):
    emb = FakeEmbedder()
    path = tmp_path / "idx"
    build_sources([_src("e0", "word0")], path, SETTINGS, emb)
    before = sqlite_handles()[0]
    live = LiveSearcher(path, emb, SETTINGS, interval=0.0)
    errors: list[Exception] = []
    stop = threading.Event()

    def searching() -> None:
        while not stop.is_set():
            try:
                with live.lease() as searcher:
                    searcher.search("word0 today", k=3, mode="hybrid")
            except Exception as exc:  # any failure fails the test
                errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(3)]
    for thread in threads:
        thread.start()
    worst = 0
    try:
        for n in range(1, WRITES + 1):
            add_sources([_src(f"e{n}", f"word{n}")], path, SETTINGS, emb)
            live.refresh()
            worst = max(worst, sqlite_handles()[1])
            with live.lease() as searcher:
                assert {h.episode.id for h in searcher.search(f"word{n}", k=3, mode="keyword").hits} == {f"e{n}"}
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors, errors[:3]
    assert live.reloads == WRITES
    assert worst <= 2, f"{worst} handles on deleted passages.sqlite files during the writes"
    total, deleted = sqlite_handles()
    assert deleted == 0 and total - before == 1  # only the generation being served
    with live.lease() as searcher:
        assert len(searcher.search("word1 word30", k=5, mode="hybrid").hits) >= 2
    live.close()
    assert sqlite_handles()[0] == before


def test_a_leased_generation_stays_open_until_released(tmp_path):
    emb = FakeEmbedder()
    path = tmp_path / "idx"
    build_sources([_src("a", "alpha")], path, SETTINGS, emb)
    live = LiveSearcher(path, emb, SETTINGS, interval=3600.0)
    old = live.acquire()
    add_sources([_src("b", "beta")], path, SETTINGS, emb)
    assert live.refresh()
    # the request that began before the swap still reads its generation (its file is deleted by now)
    assert {h.episode.id for h in old.search("alpha", k=3, mode="keyword").hits} == {"a"}
    with live.lease() as new:
        assert new is not old and {h.episode.id for h in new.search("beta", k=3, mode="keyword").hits} == {"b"}
    live.release(old)
    with pytest.raises(sqlite3.ProgrammingError):  # closed with its last lease
        old.index.counts()
    with live.lease() as current:  # the current generation is not closed by its leases ending
        assert current.index.counts()["episodes"] == 2
