"""Reading an index: `Index.open(DIR)` opens the generation the manifest names, read-only.

Layout: `DIR/manifest.json` names the current generation `DIR/gen-.../`, which holds `passages.sqlite` (metadata
and passages), `vectors.faiss` and the keyword engine's data (`keyword.tantivy/`, or an FTS5 table in the SQLite
file for indexes built with `fts5`: `keyword_engine.py`). `Index` is the only owner of those handles: the
searcher, the service and evaluation ask it for what they need.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from indexer.datamodel import Episode
from indexer.errors import IndexError_, NotFound
from indexer.index import store
from indexer.index.keyword_engine import ENGINES, KeywordEngine
from indexer.index.keyword_fts5 import Fts5Engine
from indexer.index.keyword_tantivy import TantivyEngine
from indexer.index.manifest import Manifest
from indexer.index.records import EpisodeListing, IndexCounts, PodcastListing, StoredPassage
from indexer.index.vectors import VectorIndex
from indexer.search.filters import Filters

DB_FILE = "passages.sqlite"
VECTORS_FILE = "vectors.faiss"
GEN_PREFIX = "gen-"

Ranked = list[tuple[int, float]]


def open_keyword_engine(name: str, gen_dir: Path, conn: sqlite3.Connection, *, writable: bool = False,
                        base: Path | None = None) -> KeywordEngine:
    """The keyword engine `name` over a generation: read-only, or writable (new, or updating `base`'s copy)."""
    if name == "fts5":
        return Fts5Engine(conn, create_table=writable and base is None)
    if name == "tantivy":
        return TantivyEngine(gen_dir, conn, writable=writable, base=base)
    raise IndexError_(f"unknown keyword engine {name!r}: PODQUERY_KEYWORD_ENGINE is one of {', '.join(ENGINES)}")


class Index:
    """A read-only view of one generation: manifest, SQLite store, FAISS vectors and the keyword engine the
    manifest names. Thread-safe for reads."""

    def __init__(self, path: Path, manifest: Manifest, conn: sqlite3.Connection, vectors: VectorIndex,
                 keyword: KeywordEngine | None = None) -> None:
        self.path = path
        self.manifest = manifest
        self.conn = conn  # white-box tests read it; library code goes through the methods below
        self.vectors = vectors
        self.keyword = keyword if keyword is not None else Fts5Engine(conn)

    @classmethod
    def open(cls, path: Path | str, *, mmap: bool = False) -> Index:
        path = Path(path)
        manifest = Manifest.read(path)
        gen = path / manifest.generation
        db, vec = gen / DB_FILE, gen / VECTORS_FILE
        for file in (db, vec):
            if not file.is_file():
                raise IndexError_(f"{path} is damaged: {file} is missing; rebuild with python -m indexer build")
        try:
            conn = store.connect(db, readonly=True)
            conn.execute("SELECT count(*) FROM passages").fetchone()
            vectors = VectorIndex.load(vec, mmap=mmap)
            keyword = open_keyword_engine(manifest.keyword_engine, gen, conn)
        except (sqlite3.Error, RuntimeError, ValueError, OSError) as exc:
            raise IndexError_(f"{path} is damaged ({exc}); rebuild with python -m indexer build") from exc
        if vectors.dimension != manifest.model.get("dimension"):
            raise IndexError_(f"{path}: vectors have {vectors.dimension} dims, manifest says "
                              f"{manifest.model.get('dimension')}; rebuild the index")
        return cls(path, manifest, conn, vectors, keyword)

    def close(self) -> None:
        self.keyword.close()
        self.conn.close()

    # --- metadata: what the routes, the CLI and evaluation read

    def episode(self, episode_id: str) -> Episode:
        found = store.get_episode(self.conn, episode_id)
        if found is None:
            raise NotFound(f"no episode {episode_id!r} in this index")
        return found

    def counts(self) -> IndexCounts:
        return store.counts(self.conn)

    def list_episodes(self, podcast: str | None = None, limit: int = 20,
                      offset: int = 0) -> tuple[list[EpisodeListing], int]:
        """One page of episodes (newest first, undated last) and the total that match."""
        return store.list_episodes(self.conn, podcast, limit, offset)

    def list_podcasts(self) -> list[PodcastListing]:
        return store.list_podcasts(self.conn)

    def passages(self, ids: Sequence[int]) -> dict[int, StoredPassage]:
        """Stored passages by id (ids not in the index are left out)."""
        return store.passages_by_id(self.conn, ids)

    def episode_passages(self, episode_id: str) -> list[tuple[int, str, float | None, float | None]]:
        """(id, kind, start_s, end_s) of each passage of an episode."""
        return store.episode_passages(self.conn, episode_id)

    def vectors_of(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of these passages (rows in the order of `ids`)."""
        return self.vectors.reconstruct(ids) if ids else np.zeros((0, self.vectors.dimension), dtype=np.float32)

    # --- retrieval: what the retrievers call

    def allowed_ids(self, filters: Filters) -> list[int] | None:
        """Ids of every passage the filters allow; None when nothing is filtered (everything is allowed)."""
        return store.filtered_ids(self.conn, filters) if filters.active() else None

    def keyword_search(self, terms: Sequence[str], depth: int, filters: Filters) -> Ranked:
        """Best `depth` passages for the OR of the terms by BM25, the filters applied before ranking."""
        return self.keyword.search(terms, depth, filters)

    def vector_search(self, queries: np.ndarray, depth: int, allowed: Sequence[int] | None) -> list[Ranked]:
        """Top `depth` (id, cosine) per query vector, only among `allowed` ids when given."""
        return self.vectors.search(queries, depth, allowed)


def open_index(path: Path | str, *, mmap: bool = False) -> Index:
    """Open the index at `path` for reading (`Index.open`); IndexError_ says what is wrong and how to fix it."""
    return Index.open(path, mmap=mmap)

