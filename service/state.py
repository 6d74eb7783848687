"""What the service loads once at startup: the index, the embedding model and the Searcher over both."""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from indexer.errors import IndexError_
from indexer.index.embedding import Embedder, load_embedder
from indexer.index.manifest import Manifest
from indexer.index.reader import Index
from indexer.search.live import LiveSearcher

from .config import ServiceConfig

log = logging.getLogger(__name__)


# texts embedded per turn of the lock: a search waits at most one batch. The service's encoder has one thread:
# 32 passages took 5.6-14 s there under load (bench/attack.py), 4 take about a second
BATCH = 4


class FairLock:
    """A lock handed to its waiters in arrival order. threading.Lock is not fair: a thread that releases it and
    asks again at once (a write embedding batch after batch) mostly gets it back, and a search waiting for one
    query embedding waited for the whole write (4-12 s, bench/attack.py)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: collections.deque[threading.Event] = collections.deque()
        self._held = False

    def __enter__(self) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                return
            turn = threading.Event()
            self._waiters.append(turn)
        turn.wait()  # the releasing thread hands the lock over: `_held` stays True

    def __exit__(self, *exc: object) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._held = False


class SerialEmbedder:
    """An embedder that runs one `embed` call at a time, whatever thread calls it.

    Routes run in a threadpool and share one model. Hugging Face fast tokenizers are not safe to share between
    threads ("RuntimeError: Already borrowed", huggingface/tokenizers#537). A query embeds in 5-15 ms, so the
    lock costs little, and meanwhile other requests' SQLite and FAISS work runs on the other cores.
    """

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.fingerprint = inner.fingerprint
        self._lock = FairLock()

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """The texts' vectors, the lock taken per batch of BATCH: a write embeds all of an episode's passages in
        one call, and holding the lock for all of them stalled every search behind it (15-40 s for 150-320
        passages, bench/attack.py); between batches, waiting searches get their turn."""
        if len(texts) <= BATCH:
            with self._lock:
                return self.inner.embed(texts, progress=progress)
        parts = []
        for start in range(0, len(texts), BATCH):
            with self._lock:
                parts.append(self.inner.embed(texts[start:start + BATCH]))
        return np.vstack(parts)


@dataclass
class Resources:
    """Everything a request reads, built once per process. The index follows its directory: when `add`,
    `remove` or a write endpoint commits a new generation, the next request searches it (see LiveSearcher).
    A request leases its generation through the dependencies in deps.py, so a replaced one closes as soon as
    the last request that used it has answered."""

    live: LiveSearcher
    embedder: SerialEmbedder

    @property
    def manifest(self) -> Manifest:
        """The current generation's manifest (plain data: read without a lease)."""
        return self.live.manifest

    @property
    def counts(self) -> Mapping[str, object]:
        """The current generation's counts, as its manifest recorded them (no query on the event loop)."""
        return self.manifest.counts

    def close(self) -> None:
        self.live.close()


def limit_malloc_arenas(arenas: int = 2) -> None:
    """At most `arenas` glibc malloc arenas, as MALLOC_ARENA_MAX=2 would. glibc gives threads arenas of their own
    (up to 8 per core), and the routes' thread pool then keeps memory other threads freed: over 150 s of mixed load
    the server grew 49% with the default and 15% with 2 arenas (bench/README.md, "Mixed"). Process-wide: the
    entry point calls it before the threads start. Nothing happens off glibc."""
    import contextlib
    import ctypes

    m_arena_max = -8  # from glibc's malloc.h
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(m_arena_max, arenas)


def limit_compute_threads(threads: int) -> None:
    """Threads torch and FAISS may use for one search: process-wide, so only the process entry point sets it."""
    import faiss
    import torch

    torch.set_num_threads(threads)
    faiss.omp_set_num_threads(threads)


def load_resources(config: ServiceConfig, embedder: Embedder | None = None) -> Resources:
    """Open the index and the query encoder of the model it was built with (ONNX int8 on `config.threads` by
    default); `embedder` lets tests share an already-loaded model.

    Raises IndexError_ when there is no index to open or it does not match the model.
    """
    if config.index is None:
        raise IndexError_("no index configured: start with --index DIR or set PODQUERY_INDEX")
    started = time.perf_counter()
    # a missing or damaged index fails here, before the model loads (mapped: the vectors are not read twice)
    Index.open(config.index, mmap=True).close()
    if embedder is None:
        # one search's threads (PODQUERY_THREADS, --threads) bound the query encoder's ONNX session too
        embedder = load_embedder(replace(config.settings, query_threads=config.threads), purpose="query")
    serial = SerialEmbedder(embedder)
    live = LiveSearcher(config.index, serial, config.settings, interval=config.reload_interval)
    seconds = time.perf_counter() - started
    log.info("loaded index %s (generation %s) and model %s in %.1fs", config.index,
             live.manifest.generation, embedder.name, seconds)
    return Resources(live=live, embedder=serial)
