"""A searcher that follows its index: when a writer swaps in a new generation, the next request uses it.

Requests in flight keep the Searcher they started with (its files stay readable after the writer removes the old
generation: open files outlive their directory entry), so a swap fails none of them.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from indexer.errors import IndexError_
from indexer.index.embedding import Embedder
from indexer.index.manifest import MANIFEST
from indexer.index.reader import Index
from indexer.search.searcher import Searcher
from indexer.settings import Settings

log = logging.getLogger(__name__)


class LiveSearcher:
    """Holds the current Searcher; checks the manifest at most every `interval` seconds and reopens on change."""

    def __init__(self, path: Path | str, embedder: Embedder | None, settings: Settings, interval: float = 0.5) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self.settings = settings
        self.interval = interval
        self._lock = threading.Lock()
        self._stamp = self._manifest_stamp()
        self._searcher = Searcher(Index.open(self.path), embedder, settings)
        self._checked = time.monotonic()
        self.reloads = 0

    def _manifest_stamp(self) -> tuple[int, int]:
        st = os.stat(self.path / MANIFEST)
        return st.st_ino, st.st_mtime_ns  # os.replace gives the new manifest a new inode

    @property
    def searcher(self) -> Searcher:
        """The Searcher for the newest committed generation (reopened if the manifest changed)."""
        if time.monotonic() - self._checked >= self.interval:
            self.refresh()
        return self._searcher

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
            self._searcher, self._stamp = searcher, stamp
            self.reloads += 1
            log.info("index %s: now serving %s", self.path, searcher.index.manifest.generation)
            return True
