"""Synthetic larger indexes for latency: copies of a real index's rows with perturbed copies of its vectors.

Copy c of every episode gets id `ID#c` and passage ids shifted by c * OFFSET; its vectors are the originals
plus Gaussian noise, re-normalised, so the FAISS neighbourhood structure (and the FTS term statistics) stay
those of real podcast passages while the count grows. Used by bench/speed.py; nothing here is for quality.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import faiss
import numpy as np

from indexer.index.manifest import MANIFEST
from indexer.index.reader import DB_FILE, VECTORS_FILE, Index
from indexer.index.vectors import VectorIndex

OFFSET = 10_000_000
NOISE = 0.05  # per-dimension sigma before re-normalising: cosine to the original about 0.7


def real_vectors(index: Index) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) of a Flat IDMap index, read in one go."""
    raw = index.vectors._index  # bench only: the library has no bulk export
    ids = faiss.vector_to_array(raw.id_map).astype(np.int64)
    flat = faiss.downcast_index(raw.index)
    return ids, flat.reconstruct_n(0, flat.ntotal)


def noisy(vectors: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = vectors + rng.normal(0, NOISE, vectors.shape).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def grow(src: Path, out: Path, copies: int, factory: str = "Flat") -> Path:
    """An index at `out` holding `copies` copies of the one at `src` (built once; reused when present)."""
    if (out / MANIFEST).is_file():
        return out
    shutil.rmtree(out, ignore_errors=True)
    base = Index.open(src)
    manifest = json.loads((src / MANIFEST).read_text())
    gen = out / "gen-synthetic"
    gen.mkdir(parents=True)
    shutil.copy(src / manifest["generation"] / DB_FILE, gen / DB_FILE)
    conn = sqlite3.connect(gen / DB_FILE)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(passages)")]
    ecols = [r[1] for r in conn.execute("PRAGMA table_info(episodes)")]
    for c in range(1, copies):
        sel = ", ".join(f"id || '#{c}'" if n == "id" else n for n in ecols)
        conn.execute(f"INSERT INTO episodes SELECT {sel} FROM episodes WHERE id NOT LIKE '%#%'")
        sel = ", ".join(f"id + {c * OFFSET}" if n == "id" else f"episode_id || '#{c}'" if n == "episode_id" else n
                        for n in cols)
        conn.execute(f"INSERT INTO passages SELECT {sel} FROM passages WHERE id < {OFFSET}")
        conn.execute("INSERT INTO passages_fts(rowid, text, title, chapter, podcast, speakers) "
                     f"SELECT rowid + {c * OFFSET}, text, title, chapter, podcast, speakers FROM passages_fts "
                     f"WHERE rowid < {OFFSET}")
    conn.commit()
    counts = {"passages": conn.execute("SELECT count(*) FROM passages").fetchone()[0],
              "episodes": conn.execute("SELECT count(*) FROM episodes").fetchone()[0]}
    conn.execute("VACUUM")
    conn.close()
    ids, vecs = real_vectors(base)
    index = VectorIndex.create(vecs.shape[1], factory)
    index.add(ids, vecs)
    for c in range(1, copies):
        index.add(ids + c * OFFSET, noisy(vecs, c))
    index.save(gen / VECTORS_FILE)
    manifest.update(generation=gen.name, faiss_factory=factory, counts={**manifest["counts"], **counts})
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return out


def with_vectors(index: Index, factory: str) -> Index:
    """The same index with its vectors re-indexed under another FAISS factory (e.g. HNSW32), in memory."""
    raw = index.vectors._index
    ids = faiss.vector_to_array(raw.id_map).astype(np.int64)
    vecs = faiss.downcast_index(raw.index).reconstruct_n(0, raw.ntotal)
    other = VectorIndex.create(vecs.shape[1], factory)
    other.add(ids, vecs)
    return Index(index.path, index.manifest, index.conn, other)


def million(src: Index, n: int, path: Path) -> Path:
    """A FAISS-only Flat file of n vectors (real ones plus noisy copies), written once."""
    if path.is_file():
        return path
    _, vecs = real_vectors(src)
    parts, total, c = [], 0, 0
    while total < n:
        part = vecs if c == 0 else noisy(vecs, 1000 + c)
        parts.append(part[: n - total])
        total += len(parts[-1])
        c += 1
    flat = faiss.IndexFlatIP(vecs.shape[1])
    flat.add(np.vstack(parts))
    faiss.write_index(flat, str(path))
    return path
