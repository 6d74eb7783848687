"""txtai baseline, run inside bench/.venv-txtai (txtai's own dependencies stay out of the main environment).

Reads passages (JSONL {"id", "text"}) and queries (JSONL {"qid", "query"}), indexes the passages with txtai's
defaults in hybrid mode (its BM25 terms + dense vectors) with the same packaged all-MiniLM-L6-v2 directory,
searches it three ways (dense only, hybrid, BM25 only), and writes one JSON object: versions, the config,
index seconds, per-query latencies and each query's ranked passage ids, for bench/speed.py to judge.

    bench/.venv-txtai/bin/python bench/txtai_baseline.py PASSAGES QUERIES MODEL_DIR OUT.json [--k 10]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    """VmHWM: ru_maxrss of a child process starts at its parent's peak, which would be bench/speed.py's."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("passages", type=Path)
    ap.add_argument("queries", type=Path)
    ap.add_argument("model", help="a sentence-transformers directory")
    ap.add_argument("out", type=Path)
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    started = time.perf_counter()
    from importlib.metadata import version

    from txtai import Embeddings

    config = {"path": args.model, "content": False, "hybrid": True}
    embeddings = Embeddings(**config)
    load_s = time.perf_counter() - started
    rows = [json.loads(line) for line in args.passages.read_text("utf-8").splitlines() if line.strip()]
    queries = [json.loads(line) for line in args.queries.read_text("utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    embeddings.index((r["id"], r["text"], None) for r in rows)
    index_s = time.perf_counter() - started
    runs = {}
    # one hybrid index (its dense vectors plus its BM25 terms) serves all three: weights is the dense share
    for name, weights in (("dense", 1.0), ("hybrid", 0.5), ("bm25", 0.0)):
        for q in queries[:10]:  # warm-up
            embeddings.search(q["query"], args.k, weights=weights)
        latencies, results = [], {}
        for q in queries:
            t = time.perf_counter()
            found = embeddings.search(q["query"], args.k, weights=weights)
            latencies.append(1000 * (time.perf_counter() - t))
            # weights 0 still lists the dense candidates, at score 0: they are not BM25's
            results[q["qid"]] = [int(i) for i, score in found if weights > 0 or score > 0]
        runs[name] = {"weights": weights, "latencies_ms": latencies, "results": results}
    out = {"txtai": version("txtai"), "config": {**config, **embeddings.config}, "passages": len(rows),
           "load_s": load_s, "index_s": index_s, "runs": runs,
           "peak_rss_mb": _peak_rss_mb(), "rss_source": "VmHWM"}
    args.out.write_text(json.dumps(out, default=str), "utf-8")
    print(f"txtai {out['txtai']}: {len(rows)} passages in {index_s:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
