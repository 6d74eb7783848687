"""A live searcher picks up a new generation without failing searches in flight."""

from __future__ import annotations

import threading
import time

from support import FakeEmbedder, make_source

from indexer.index import updates as builder
from indexer.index.updates import add_sources, build_sources
from indexer.search.live import LiveSearcher
from indexer.settings import Settings

SETTINGS = Settings()


def _src(eid: str, word: str):
    return make_source(eid, [(i * 10.0, i * 10.0 + 10, f"We talk about {word} number {i} today.", "Ann")
                             for i in range(30)], title=f"About {word}")


def test_sees_added_and_removed_episodes_while_searching(tmp_path):
    emb = FakeEmbedder()
    path = tmp_path / "idx"
    build_sources([_src("a", "compilers")], path, SETTINGS, emb)
    live = LiveSearcher(path, emb, SETTINGS, interval=0.05)
    errors: list[Exception] = []
    seen: list[float] = []
    stop = threading.Event()

    def stream() -> None:
        while not stop.is_set():
            try:
                hits = live.searcher.search("violins", k=5, mode="hybrid").hits
                if any(h.episode.id == "b" for h in hits) and not seen:
                    seen.append(time.monotonic())
            except Exception as exc:  # any failure fails the test
                errors.append(exc)

    threads = [threading.Thread(target=stream) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    added = time.monotonic()
    add_sources([_src("b", "violins")], path, SETTINGS, emb)
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
    builder.remove(["a"], path, SETTINGS, emb)
    time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert seen and seen[0] - added < 3.0
    assert live.reloads >= 2
    assert {h.episode.id for h in live.searcher.search("compilers violins", k=20).hits} == {"b"}
