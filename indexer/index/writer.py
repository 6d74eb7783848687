"""Writing an index: one new generation per change, switched in by replacing the manifest in one rename.

A writer fills a fresh generation (a copy of the current one for updates: SQLite, vectors and the keyword
engine's files), fsyncs it, and only then replaces the manifest; a killed writer leaves the old manifest pointing
at the old, untouched generation, and its half-written generation is removed by the next writer.
A flock serialises writers; readers never take it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from tqdm import tqdm

from indexer.datamodel import EpisodeSource, Passage
from indexer.errors import IndexError_, NotFound
from indexer.index import store
from indexer.index.embedding import Embedder
from indexer.index.keyword_engine import ENGINES, KeywordEngine, keyword_doc
from indexer.index.manifest import MANIFEST, Manifest, fsync_dir, utc_now
from indexer.index.reader import DB_FILE, GEN_PREFIX, VECTORS_FILE, open_keyword_engine
from indexer.index.vectors import AUTO, VectorIndex, resolve_factory
from indexer.passages.chunking import episode_passages
from indexer.passages.context import embedding_text
from indexer.passages.tokens import TokenCounter
from indexer.settings import Settings

log = logging.getLogger(__name__)


def _new_generation_name() -> str:
    return f"{GEN_PREFIX}{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}"


class IndexWriter:
    """Writes one new generation: fresh for `build`, or a copy of the current one for `add`/`remove`.

    Use as a context manager; leaving the block without `commit()` (an error, a kill) changes nothing.
    """

    def __init__(self, path: Path | str, embedder: Embedder | None, settings: Settings, *, fresh: bool) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self.settings = settings
        self.count_tokens = TokenCounter(settings.chunk.encoding)
        self._check_target(fresh)
        if fresh and settings.keyword_engine not in ENGINES:
            raise IndexError_(f"PODQUERY_KEYWORD_ENGINE={settings.keyword_engine!r} is not one of {', '.join(ENGINES)}")
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = (self.path / ".lock").open("a")
        fcntl.flock(self._lock, fcntl.LOCK_EX)  # one writer at a time; readers never take it
        self.base = None if fresh else Manifest.read(self.path)
        if self.base is not None and embedder is not None:
            self.base.check_model(embedder.name, embedder.dimension, embedder.fingerprint, self.path)
        if self.base is None and embedder is None:
            raise IndexError_("internal: a new index needs the embedding model")
        # an index keeps the factory it was built with; the setting applies to new ones, and `auto` (the default)
        # also turns a Flat index into HNSW when a commit finds it past `hnsw_from` passages
        self.factory = (resolve_factory(settings.faiss_factory, 0, settings.hnsw_from) if self.base is None
                        else self.base.faiss_factory)
        self.generation = _new_generation_name()
        self.gen_dir = self.path / self.generation
        self.gen_dir.mkdir()
        try:
            self.conn, self.vectors = self._start()
            # and the keyword engine, like the factory: the index's own, the setting for new ones
            base_dir = None if self.base is None else self.path / self.base.generation
            engine = settings.keyword_engine if self.base is None else self.base.keyword_engine
            self.keyword: KeywordEngine = open_keyword_engine(engine, self.gen_dir, self.conn, writable=True,
                                                              base=base_dir)
        except BaseException:
            shutil.rmtree(self.gen_dir, ignore_errors=True)
            self._release()
            raise
        self.embedded = 0  # passages embedded by this writer (unchanged ones are reused, not counted)
        self._committed = False

    def _check_target(self, fresh: bool) -> None:
        if not fresh or not self.path.exists():
            return
        if not self.path.is_dir():
            raise IndexError_(f"{self.path} exists and is not a directory; choose another --out")
        # leftover generations of a first build that never committed are ours; anything else is not
        if not (self.path / MANIFEST).exists() and any(not p.name.startswith((".", GEN_PREFIX))
                                                       for p in self.path.iterdir()):
            raise IndexError_(f"{self.path} is a non-empty directory that is not a podquery index; "
                              "refusing to write into it (choose an empty or new --out)")

    def _start(self) -> tuple[sqlite3.Connection, VectorIndex]:
        db = self.gen_dir / DB_FILE
        if self.base is None:
            conn = store.connect(db)
            store.create(conn)
            return conn, VectorIndex.create(self._embedder().dimension, self.factory, self.settings.hnsw_ef_search)
        old = self.path / self.base.generation
        src = sqlite3.connect(f"file:{old / DB_FILE}?mode=ro", uri=True)
        conn = store.connect(db)
        src.backup(conn)  # a consistent page copy, not a file copy of a possibly open database
        src.close()
        return conn, VectorIndex.load(old / VECTORS_FILE)

    def _embedder(self) -> Embedder:
        if self.embedder is None:
            raise IndexError_("internal: adding passages needs the embedding model")
        return self.embedder

    def _model_info(self) -> dict[str, object]:
        """The model that made the vectors: the embedder's, or (for changes that embed nothing) the base's."""
        if self.embedder is None and self.base is not None:
            return dict(self.base.model)
        emb = self._embedder()
        return {"name": emb.name, "dimension": emb.dimension, "fingerprint": emb.fingerprint}

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            self.abort()

    def _reusable(self, episode_id: str) -> dict[str, int]:
        """Content hash -> passage id of this episode's current passages, whose vectors can be kept."""
        rows = store.content_hashes(self.conn, episode_id)
        return dict(rows)

    def add(self, sources: Iterable[EpisodeSource], *, progress: bool = False) -> int:
        """Add or replace episodes; passages whose content is unchanged keep their vectors. Returns passages written."""
        plan: list[tuple[EpisodeSource, list[Passage]]] = []
        latest = {src.episode.id: src for src in sources}  # the same episode twice: the later one wins
        for src in tqdm(list(latest.values()), desc="chunking", unit="episode", disable=not progress):
            passages = episode_passages(src.episode, src.transcript, self.settings.chunk, self.count_tokens)
            plan.append((src, passages))
        old_vectors: dict[str, np.ndarray] = {}
        removed: list[int] = []
        for src, _ in plan:
            reuse = self._reusable(src.episode.id)
            if reuse:
                ids = list(reuse.values())
                vecs = self.vectors.reconstruct(ids)
                old_vectors.update({h: vecs[n] for n, h in enumerate(reuse)})
            removed.extend(store.delete_episode(self.conn, src.episode.id))
        if removed:
            self._forget(removed)
        todo = [(src.episode, p) for src, ps in plan for p in ps if p.content_hash not in old_vectors]
        new_vectors: dict[str, np.ndarray] = {}
        if todo:
            fresh = self._embedder().embed([embedding_text(ep, p) for ep, p in todo], progress=progress)
            new_vectors = {p.content_hash: fresh[n] for n, (_, p) in enumerate(todo)}
        self.embedded += len(todo)
        next_id = store.next_passage_id(self.conn)
        all_ids: list[int] = []
        all_vecs: list[np.ndarray] = []
        written = 0
        vectors = {**old_vectors, **new_vectors}  # disjoint: only hashes without a kept vector were embedded
        for src, passages in plan:
            store.write_episode(self.conn, src.episode, src.origin)
            rows = [(next_id + n, p) for n, p in enumerate(passages)]
            next_id += len(passages)
            store.write_passages(self.conn, src.episode, rows)
            self.keyword.add([keyword_doc(pid, src.episode, p) for pid, p in rows])
            for pid, p in rows:
                all_ids.append(pid)
                all_vecs.append(vectors[p.content_hash])
            written += len(rows)
        if all_ids:
            matrix = np.vstack(all_vecs).astype(np.float32)
            if self.vectors.needs_training:
                self.vectors.train(matrix)
            self.vectors.add(all_ids, matrix)
        return written

    def remove(self, episode_ids: Iterable[str]) -> int:
        """Remove episodes (passages, vectors, chapters); an unknown id raises NotFound. Returns passages removed."""
        removed: list[int] = []
        for episode_id in episode_ids:
            if store.get_episode(self.conn, episode_id) is None:
                raise NotFound(f"no episode {episode_id!r} in {self.path}")
            removed.extend(store.delete_episode(self.conn, episode_id))
        self._forget(removed)
        return len(removed)

    def _forget(self, ids: list[int]) -> None:
        """Take removed passages out of the keyword engine and the vectors."""
        self.keyword.remove(ids)
        try:
            self.vectors.remove(ids)
        except RuntimeError:
            # HNSW cannot remove: the vectors stay, marked; searches skip them and `compact` drops them
            store.add_tombstones(self.conn, ids)

    def compact(self) -> int:
        """Rebuild the vector index from the live passages' stored vectors, dropping tombstoned ones, and compact
        the keyword engine (tantivy: rebuilt from the stored passages, without the documents removals left)."""
        dropped = store.clear_tombstones(self.conn)
        self._rebuild_vectors()
        self.keyword.compact(store.keyword_docs(self.conn))
        return dropped

    def _rebuild_vectors(self) -> None:
        """A new vector index of `self.factory` holding the live passages' stored vectors (no re-embedding)."""
        live = store.passage_ids(self.conn)
        fresh = VectorIndex.create(self.vectors.dimension, self.factory, self.settings.hnsw_ef_search)
        for start in range(0, len(live), 10_000):
            batch = live[start:start + 10_000]
            vectors = self.vectors.reconstruct(batch)
            if fresh.needs_training:
                fresh.train(vectors)
            fresh.add(batch, vectors)
        self.vectors = fresh

    def switch_keyword_engine(self, name: str) -> int:
        """Index the stored passages with keyword engine `name` instead (no model, no sources: SQLite holds the
        text); the other engine's data leaves the generation. Returns the passages indexed."""
        if name not in ENGINES:
            raise IndexError_(f"unknown keyword engine {name!r}: one of {', '.join(ENGINES)}")
        self.keyword.drop()
        self.keyword.close()
        self.keyword = open_keyword_engine(name, self.gen_dir, self.conn, writable=True)
        docs = list(store.keyword_docs(self.conn))
        self.keyword.add(docs)
        return len(docs)

    def commit(self) -> Manifest:
        """Flush the generation to disk, then switch the manifest to it in one rename."""
        if self.settings.faiss_factory == AUTO and self.factory == "Flat":
            grown = resolve_factory(AUTO, store.counts(self.conn)["passages"], self.settings.hnsw_from)
            if grown != self.factory:
                log.info("%s passages or more: the vectors become %s", self.settings.hnsw_from, grown)
                self.factory = grown
                self._rebuild_vectors()  # Flat removes for real: there are no tombstones to drop
        self.conn.commit()
        store.optimize(self.conn)
        counts = store.counts(self.conn)
        self.keyword.flush()
        keyword_docs = self.keyword.count()
        self.keyword.close()
        self.conn.close()
        if len(self.vectors) != counts["passages"] + counts["tombstones"] or keyword_docs != counts["passages"]:
            raise IndexError_(f"internal: {len(self.vectors)} vectors and {keyword_docs} keyword documents for "
                              f"{counts['passages']} passages and {counts['tombstones']} tombstones")
        self.vectors.save(self.gen_dir / VECTORS_FILE)
        _fsync_tree(self.gen_dir)
        manifest = Manifest(
            generation=self.generation,
            model=self._model_info(),
            chunking={"max_tokens": self.settings.chunk.max_tokens, "overlap": self.settings.chunk.overlap,
                      "encoding": self.settings.chunk.encoding},
            faiss_factory=self.factory,
            counts=dict(counts),
            keyword_engine=self.keyword.name,
        )
        if self.base is not None:
            manifest.created = self.base.created
            manifest.updated = utc_now()
        manifest.write(self.path)
        self._committed = True
        self._cleanup()
        return manifest

    def abort(self) -> None:
        self.keyword.close()
        with contextlib.suppress(sqlite3.Error):  # aborting: the generation is deleted next either way
            self.conn.close()
        shutil.rmtree(self.gen_dir, ignore_errors=True)
        self._release()

    def _cleanup(self) -> None:
        """Remove every generation but the current one: old ones, and any a killed writer left behind."""
        for entry in self.path.iterdir():
            if entry.name.startswith(GEN_PREFIX) and entry.name != self.generation:
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(f".{MANIFEST}.") and entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)
        self._release()

    def _release(self) -> None:
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()


def _fsync_tree(directory: Path) -> None:
    """fsync every file under a generation and every folder holding them (the keyword engine's included)."""
    for folder, _, files in os.walk(directory):
        for name in files:
            with open(os.path.join(folder, name), "rb") as fh:
                os.fsync(fh.fileno())
        fsync_dir(Path(folder))
