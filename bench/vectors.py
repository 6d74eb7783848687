"""Approximate vectors: where HNSW should replace the exact Flat index, and what it costs in recall.

    python bench/vectors.py --index bench/work/lex160-index --index bench/work/pa-index \
        --queries ../shared/devset/lexicap_questions.jsonl --queries bench/devset/practicalai.jsonl

Real vectors only (the stored encoder output of real passages of the given indexes, no noisy copies) and real
queries (the dev questions, embedded by the packaged model). For growing subsets of the vectors it prints, one
thread, one query at a time: Flat's latency, HNSW32's build time, latency and recall@10 against Flat at several
efSearch values, and for a filtered search (2% of the ids allowed) HNSW's recall with FAISS's id selector beside
the exact search over the allowed ids that `VectorIndex` does for small allowed sets. The machine is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.index.embedding import load_embedder  # noqa: E402
from indexer.index import store  # noqa: E402
from indexer.index.reader import Index  # noqa: E402


def stored_vectors(index_dir: Path) -> np.ndarray:
    """Every passage vector of an index (read through the reader, the way `compact` reads them)."""
    index = Index.open(index_dir)
    try:
        ids = store.passage_ids(index.conn)
        return np.vstack([index.vectors_of(ids[i:i + 5000]) for i in range(0, len(ids), 5000)])
    finally:
        index.close()


def questions(path: Path) -> list[str]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [str(r.get("question") or r.get("query")) for r in rows]


def per_query_ms(index: faiss.Index, queries: np.ndarray, k: int = 10, params: object = None) -> tuple[float, np.ndarray]:
    found, took = [], []
    for q in queries:
        t = time.perf_counter()
        _, ids = index.search(q[None, :], k, params=params)
        took.append(time.perf_counter() - t)
        found.append(ids[0])
    return 1000 * float(np.median(took)), np.vstack(found)


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, action="append", required=True)
    ap.add_argument("--queries", type=Path, action="append", required=True)
    ap.add_argument("--sizes", default="5000,10000,20000,0", help="subset sizes (0 = all vectors)")
    ap.add_argument("--ef", default="16,32,64,128")
    args = ap.parse_args()
    faiss.omp_set_num_threads(1)
    vectors = np.vstack([stored_vectors(p) for p in args.index]).astype(np.float32)
    texts = [q for path in args.queries for q in questions(path)]
    queries = load_embedder().embed(texts).astype(np.float32)
    rng = np.random.default_rng(7)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; {len(vectors):,} real "
          f"vectors from {', '.join(p.name for p in args.index)}; {len(queries)} real queries; 1 thread\n")
    print("| vectors | Flat ms | HNSW32 build s | " + " | ".join(f"ef {e}: ms / recall@10" for e in args.ef.split(","))
          + " | filtered 2%: HNSW+selector recall / exact-subset ms |")
    print("|---:|---:|---:|" + "---|" * len(args.ef.split(",")) + "---|")
    for size in [int(s) for s in args.sizes.split(",")]:
        n = size or len(vectors)
        sub = vectors[rng.permutation(len(vectors))[:n]] if size else vectors
        flat = faiss.IndexFlatIP(sub.shape[1])
        flat.add(sub)
        flat_ms, truth = per_query_ms(flat, queries)
        t = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(sub.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.add(sub)
        build_s = time.perf_counter() - t
        cells = []
        for ef in (int(e) for e in args.ef.split(",")):
            params = faiss.SearchParametersHNSW()
            params.efSearch = ef
            ms, found = per_query_ms(hnsw, queries, params=params)
            cells.append(f"{ms:.2f} / {recall(found, truth):.3f}")
        allowed = np.sort(rng.permutation(n)[:max(10, n // 50)]).astype(np.int64)
        params = faiss.SearchParametersHNSW()
        params.efSearch = 64
        params.sel = faiss.IDSelectorBatch(allowed)
        _, found = per_query_ms(hnsw, queries, params=params)
        exact_truth = allowed[np.argsort(-(queries @ sub[allowed].T), axis=1)[:, :10]]
        t = time.perf_counter()
        for q in queries:
            scores = sub[allowed] @ q  # what VectorIndex does: gather the allowed vectors, exact dot products
            allowed[np.argsort(-scores)[:10]]
        exact_ms = 1000 * (time.perf_counter() - t) / len(queries)
        print(f"| {n:,} | {flat_ms:.2f} | {build_s:.1f} | " + " | ".join(cells)
              + f" | {recall(found, exact_truth):.3f} / {exact_ms:.2f} |", flush=True)


if __name__ == "__main__":
    main()
