"""A searcher that follows its index: when a writer swaps in a new generation, the next request uses it.

Requests in flight keep the Searcher they started with (its files stay readable after the writer removes the old
generation: open files outlive their directory entry), so a swap fails none of them. A request leases the current
generation (`lease()`, or `acquire()` and `release()`); a generation that has been swapped out closes its Index
when its last lease ends, so a long-running service holds no handles on deleted generations.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexError_
from indexer.index.embedding import Embedder
from indexer.index.manifest import MANIFEST, Manifest
from indexer.index.reader import Index
from indexer.search.searcher import Searcher
from indexer.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class _Generation:
    """One opened generation and who still uses it."""

    searcher: Searcher
    leases: int = 0
    retired: bool = False  # swapped out: closes when `leases` reaches 0
    # handed out by the `searcher` property, whose callers never say when they are done: left to the garbage
    # collector (as every generation was before leases existed) rather than closed under them
    unleased: bool = False


class LiveSearcher:
    """Holds the current Searcher; checks the manifest at most every `interval` seconds and reopens on change."""

    def __init__(self, path: Path | str, embedder: Embedder | None, settings: Settings, interval: float = 0.5) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self.settings = settings
        self.interval = interval
        self._lock = threading.Lock()  # guards the swap and every lease count
        self._stamp = self._manifest_stamp()
        self._current = _Generation(Searcher(Index.open(self.path), embedder, settings))
        self._leased: dict[int, _Generation] = {}  # id(searcher) -> its generation, while leased or current
        self._checked = time.monotonic()
        self.reloads = 0

    def _manifest_stamp(self) -> tuple[int, int]:
        st = os.stat(self.path / MANIFEST)
        return st.st_ino, st.st_mtime_ns  # os.replace gives the new manifest a new inode

    def _refresh_if_due(self) -> None:
        if time.monotonic() - self._checked >= self.interval:
            self.refresh()

    @property
    def searcher(self) -> Searcher:
        """The Searcher for the newest committed generation (reopened if the manifest changed), without a lease.

        For callers that cannot say when they are done; its generation is never closed explicitly. Servers
        should use `lease()` so replaced generations close as soon as their last request ends.
        """
        self._refresh_if_due()
        with self._lock:
            self._current.unleased = True
            return self._current.searcher

    @property
    def manifest(self) -> Manifest:
        """The newest committed generation's manifest (reopened if changed): read without a lease, since a
        manifest is plain data that stays valid after its generation closes."""
        self._refresh_if_due()
        return self._current.searcher.index.manifest

    def acquire(self) -> Searcher:
        """Lease the newest generation's Searcher: it stays open until `release` is called with it."""
        self._refresh_if_due()
        with self._lock:
            generation = self._current
            generation.leases += 1
            self._leased[id(generation.searcher)] = generation
            return generation.searcher

    def release(self, searcher: Searcher) -> None:
        """End one lease of `searcher`; a swapped-out generation closes when its last lease ends."""
        with self._lock:
            generation = self._leased[id(searcher)]
            generation.leases -= 1
            if generation.retired and generation.leases == 0:
                del self._leased[id(searcher)]
            done = generation.retired and generation.leases == 0 and not generation.unleased
        if done:
            self._close(generation)

    @contextmanager
    def lease(self) -> Iterator[Searcher]:
        """`with live.lease() as searcher:` the newest Searcher, open for the whole block."""
        searcher = self.acquire()
        try:
            yield searcher
        finally:
            self.release(searcher)

    def refresh(self) -> bool:
        """Reopen if the manifest changed; returns whether it did. A failed reopen keeps the old searcher."""
        with self._lock:
            self._checked = time.monotonic()
            try:
                stamp = self._manifest_stamp()
            except OSError:
                return False
            if stamp == self._stamp:
                return False
            for attempt in range(3):  # a writer may replace the generation again while we open it
                try:
                    searcher = Searcher(Index.open(self.path), self.embedder, self.settings)
                    break
                except IndexError_ as exc:
                    log.warning("reopening %s failed (%s); attempt %d", self.path, exc, attempt + 1)
                    time.sleep(0.05)
            else:
                return False
            old = self._retire()
            self._current, self._stamp = _Generation(searcher), stamp
            self.reloads += 1
        log.info("index %s: now serving %s", self.path, searcher.index.manifest.generation)
        if old is not None:
            self._close(old)
        return True

    def close(self) -> None:
        """Stop serving: the current generation closes now, or when its last lease ends."""
        with self._lock:
            old = self._retire()
        if old is not None:
            self._close(old)

    def _retire(self) -> _Generation | None:
        """Mark the current generation swapped out (the lock is held); return it when it can close now."""
        generation = self._current
        generation.retired = True
        if generation.leases or generation.unleased:
            return None
        self._leased.pop(id(generation.searcher), None)
        return generation

    def _close(self, generation: _Generation) -> None:
        """Close a generation nobody uses any more (outside the lock: closing is file I/O)."""
        generation.searcher.index.close()
        log.debug("index %s: closed %s", self.path, generation.searcher.index.manifest.generation)
