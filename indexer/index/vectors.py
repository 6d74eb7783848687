"""The FAISS side of an index: an ID-mapped inner-product index whose ids are the SQLite passage ids."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

# Batches of queries below this size skip BLAS by default, which is ~7x slower for batch search (MODELS.md)
faiss.cvar.distance_compute_blas_threshold = 20


class VectorIndex:
    """Inner product over L2-normalised vectors (cosine). The factory string picks Flat, HNSW or IVF-PQ."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def create(cls, dimension: int, factory: str = "Flat") -> VectorIndex:
        base = faiss.index_factory(dimension, factory, faiss.METRIC_INNER_PRODUCT)
        return cls(faiss.IndexIDMap2(base))

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
        return np.vstack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def search(self, queries: np.ndarray, k: int, allowed: Sequence[int] | None = None
               ) -> list[list[tuple[int, float]]]:
        """Top k (id, cosine) per query row; with `allowed`, only those ids are considered (before ranking)."""
        if k <= 0 or len(self) == 0:
            return [[] for _ in range(len(queries))]
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return [[] for _ in range(len(queries))]
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            params = faiss.SearchParameters()
            params.sel = selector
            k = min(k, len(allowed))
        k = min(k, len(self))
        scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k, params=params)
        # faiss returns two (queries, k) arrays, -1 ids padding rows that found fewer than k
        return [[(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i >= 0]
                for row_ids, row_scores in zip(ids, scores, strict=True)]
