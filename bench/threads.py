"""torch intra-op threads, 2 (torch's default here) vs 1: single-query embedding latency and batch throughput.

Alternates the two settings in one process so that load from other processes falls on both alike.

    python bench/threads.py [--index bench/work/pa-index]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from indexer.eval.evaluate import read_queries  # noqa: E402
from indexer.index.embedding import SentenceTransformerEmbedder  # noqa: E402
from indexer.index.reader import Index  # noqa: E402
from indexer.settings import Settings  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, default=ROOT / "bench" / "work" / "pa-index")
    args = ap.parse_args(argv)
    embedder = SentenceTransformerEmbedder(Settings().model)
    queries = [q.query for q in read_queries(ROOT / "bench" / "devset" / "practicalai.jsonl")][:300]
    passages = [r[0] for r in Index.open(args.index).conn.execute(
        "SELECT text FROM passages WHERE kind = 'transcript' ORDER BY id LIMIT 320")]
    default = torch.get_num_threads()
    print("| torch threads | one query p50 ms | p95 ms | p99 ms | max ms | batch passages/s | load |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for threads in (default, 1, default, 1):
        torch.set_num_threads(threads)
        for q in queries[:10]:
            embedder.embed([q])
        times = []
        for q in queries:
            t = time.perf_counter()
            embedder.embed([q])
            times.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        embedder.embed(passages)
        rate = len(passages) / (time.perf_counter() - t)
        cuts = statistics.quantiles(times, n=100)
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(f"| {threads} | {statistics.median(times):.1f} | {cuts[94]:.1f} | {cuts[98]:.1f} | {max(times):.1f} | "
              f"{rate:.1f} | {load} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
