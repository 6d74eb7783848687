"""The FAISS side: exact and HNSW indexes behind one VectorIndex, filters applied before ranking on both."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.index.vectors import VectorIndex, resolve_factory


def _unit(rows: int, dim: int = 16, seed: int = 3) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _exact(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return [int(ids[i]) for i in np.argsort(-(vectors @ query), kind="stable")[:k]]


def test_auto_picks_flat_below_the_size_and_hnsw_from_it():
    assert resolve_factory("auto", 49_999, 50_000) == "Flat"
    assert resolve_factory("auto", 50_000, 50_000) == "HNSW32"
    assert resolve_factory("IVF64,Flat", 10, 50_000) == "IVF64,Flat"


@pytest.mark.parametrize("factory", ["Flat", "HNSW32"])
def test_a_filtered_search_finds_the_best_allowed_ids(tmp_path, factory):
    vectors = _unit(3000)
    ids = np.arange(1000, 4000)
    index = VectorIndex.create(16, factory)
    index.add(ids.tolist(), vectors)
    index.save(tmp_path / "v.faiss")
    index = VectorIndex.load(tmp_path / "v.faiss", mmap=True)
    allowed = ids[::97]  # 31 ids: HNSW's graph walk with a selector would miss some of them
    queries = _unit(5, seed=9)
    for query, found in zip(queries, index.search(queries, 10, allowed.tolist()), strict=True):
        assert [i for i, _ in found] == _exact(vectors[::97], allowed, query, 10)
        assert all(a >= b for (_, a), (_, b) in zip(found, found[1:], strict=False))
    # unfiltered: HNSW at its saved efSearch finds nearly all of the exact top 10
    found = index.search(queries, 10)
    overlap = np.mean([len({i for i, _ in f} & set(_exact(vectors, ids, q, 10))) / 10
                       for q, f in zip(queries, found, strict=True)])
    assert overlap >= 0.9
