"""The FAISS side of an index: an ID-mapped inner-product index whose ids are the SQLite passage ids.

Exact (Flat) for small indexes, HNSW past a size (`resolve_factory`, measured in bench/vectors.py: Flat costs
about 1 ms a query per 9,000 vectors on one core, HNSW32 at efSearch 128 0.3 ms with recall@10 0.98 at 46k real
vectors). HNSW's graph search with an id selector loses recall when few ids are allowed (0.65 with 2% allowed),
so a filtered search over a small allowed set is exact over those vectors instead."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

# Batches of queries below this size skip BLAS by default, which is ~7x slower for batch search (MODELS.md)
faiss.cvar.distance_compute_blas_threshold = 20
AUTO = "auto"
HNSW = "HNSW32"
EXACT_ALLOWED_MAX = 20_000  # a filtered search over at most this many ids is exact (~2 ms on one core)


def resolve_factory(factory: str, passages: int, hnsw_from: int) -> str:
    """The FAISS factory string for an index of `passages`: `auto` is Flat below `hnsw_from`, HNSW32 from it."""
    if factory != AUTO:
        return factory
    return HNSW if passages >= hnsw_from else "Flat"


class VectorIndex:
    """Inner product over L2-normalised vectors (cosine). The factory string picks Flat, HNSW or IVF-PQ."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def create(cls, dimension: int, factory: str = "Flat", ef_search: int = 128) -> VectorIndex:
        base = faiss.index_factory(dimension, factory, faiss.METRIC_INNER_PRODUCT)
        if isinstance(base, faiss.IndexHNSW):
            base.hnsw.efSearch = ef_search  # saved with the index: what every search of it uses
        return cls(faiss.IndexIDMap2(base))

    @property
    def _hnsw(self) -> faiss.IndexHNSW | None:
        base = faiss.downcast_index(self._index.index)  # type: ignore[attr-defined]  # IndexIDMap2's inner index
        return base if isinstance(base, faiss.IndexHNSW) else None

    @classmethod
    def load(cls, path: Path, mmap: bool = False) -> VectorIndex:
        flags = faiss.IO_FLAG_MMAP_IFC if mmap else 0  # IFC maps flat indexes too; IO_FLAG_MMAP copies them
        return cls(faiss.read_index(str(path), flags))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def needs_training(self) -> bool:
        return not self._index.is_trained

    def train(self, vectors: np.ndarray) -> None:
        self._index.train(vectors)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: Sequence[int]) -> int:
        """Remove ids; returns how many went. Raises RuntimeError for index types that cannot remove (HNSW)."""
        if len(ids) == 0:
            return 0
        return int(self._index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64))))

    def reconstruct(self, ids: Sequence[int]) -> np.ndarray:
        """Stored vectors of these ids (exact for Flat and HNSW, approximate for PQ), to reuse without re-embedding."""
        return np.asarray(self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64)), dtype=np.float32)

    def search(self, queries: np.ndarray, k: int, allowed: Sequence[int] | None = None
               ) -> list[list[tuple[int, float]]]:
        """Top k (id, cosine) per query row; with `allowed`, only those ids are considered (before ranking)."""
        if k <= 0 or len(self) == 0:
            return [[] for _ in range(len(queries))]
        params = None
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if allowed is not None:
            if len(allowed) == 0:
                return [[] for _ in range(len(queries))]
            hnsw = self._hnsw
            if hnsw is not None and len(allowed) <= EXACT_ALLOWED_MAX:
                return self._exact(queries, k, allowed)
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            params = faiss.SearchParameters()
            if hnsw is not None:
                params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]  # not in faiss's stubs
                # the fewer ids allowed, the more of the graph a search must walk to find k of them
                params.efSearch = min(1024, hnsw.hnsw.efSearch * -(-len(self) // len(allowed)))
            params.sel = selector
            k = min(k, len(allowed))
        k = min(k, len(self))
        scores, ids = self._index.search(queries, k, params=params)
        # faiss returns two (queries, k) arrays, -1 ids padding rows that found fewer than k
        return [[(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i >= 0]
                for row_ids, row_scores in zip(ids, scores, strict=True)]

    def _exact(self, queries: np.ndarray, k: int, allowed: Sequence[int]) -> list[list[tuple[int, float]]]:
        """Exact top k among the allowed ids: their stored vectors, dot products, a partial sort."""
        ids = np.asarray(allowed, dtype=np.int64)
        scores = queries @ self.reconstruct(allowed).T
        k = min(k, len(ids))
        out = []
        for row in scores:
            top = np.argpartition(-row, k - 1)[:k]
            top = top[np.argsort(-row[top], kind="stable")]
            out.append([(int(ids[i]), float(row[i])) for i in top])
        return out
