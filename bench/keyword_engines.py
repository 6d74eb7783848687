"""Keyword engines side by side: FTS5 and tantivy over the same passages, one query at a time, in one run.

    python bench/keyword_engines.py --index /work/scratch/lex160-index-200 --work bench/work/keyword-engines \
        --questions ../shared/devset/lexicap_questions.jsonl [--rounds 3]

Copies the index twice under --work (the original is never written), keeps one copy on the engine it has and
re-indexes the other's stored passages with the other engine (`updates.switch_keyword_engine`: no model, no
sources), then times `KeywordRetriever.search` (what a `k=10` search asks: depth 50) for every question, the two
engines alternating query by query so both see the same machine load. Prints Markdown for bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.index import keyword_tantivy  # noqa: E402
from indexer.index.manifest import Manifest  # noqa: E402
from indexer.index.reader import Index  # noqa: E402
from indexer.index.updates import switch_keyword_engine  # noqa: E402
from indexer.search.filters import Filters  # noqa: E402
from indexer.search.retrievers import Scope  # noqa: E402
from indexer.search.retrievers.keyword import KeywordRetriever  # noqa: E402
from indexer.settings import Settings  # noqa: E402

DEPTH = 50  # what Searcher asks each retriever for a first page of 10


def copies(source: Path, work: Path) -> dict[str, tuple[Path, float]]:
    """engine -> (a copy of `source` indexed with it, seconds its keyword side took to build from SQLite)."""
    out: dict[str, tuple[Path, float]] = {}
    for engine in ("fts5", "tantivy"):
        copy = work / engine
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".lock"))
        seconds = 0.0
        if Manifest.read(copy).keyword_engine != engine:
            started = time.perf_counter()
            switch_keyword_engine(copy, Settings(), engine)
            seconds = time.perf_counter() - started
        out[engine] = (copy, seconds)
    return out


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timings(indexes: dict[str, Index], queries: list[str], rounds: int, filters: Filters) -> dict[str, list[float]]:
    """Milliseconds per query and engine; engines alternate (and swap order every query) under the same load."""
    retrievers = {name: KeywordRetriever(index) for name, index in indexes.items()}
    for name, retriever in retrievers.items():  # warm-up: page cache, memory maps
        for q in queries:
            retriever.search([q], DEPTH, Scope(indexes[name], filters))
    ms: dict[str, list[float]] = {name: [] for name in retrievers}
    order = list(retrievers)
    for _ in range(rounds):
        for q in queries:
            order.reverse()
            for name in order:
                started = time.perf_counter()
                retrievers[name].search([q], DEPTH, Scope(indexes[name], filters))
                ms[name].append((time.perf_counter() - started) * 1000)
    return ms


def overlap(indexes: dict[str, Index], queries: list[str]) -> float:
    """Mean share of FTS5's top 10 that tantivy's top 10 also holds."""
    shares = []
    for q in queries:
        fts, tan = (KeywordRetriever(indexes[n]).search([q], 10, Scope(indexes[n]))[0] for n in ("fts5", "tantivy"))
        if fts:
            shares.append(len({i for i, _ in fts} & {i for i, _ in tan}) / len(fts))
    return statistics.mean(shares)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="an existing index (copied, never modified)")
    ap.add_argument("--work", type=Path, required=True, help="where the two copies go (replaced)")
    ap.add_argument("--questions", type=Path, required=True, help="JSON Lines with a `question` field")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    built = copies(args.index, args.work)
    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    queries = [row["question"] for row in rows]
    indexes = {name: Index.open(path) for name, (path, _) in built.items()}
    passages = indexes["fts5"].counts()["passages"]
    print(f"{passages} passages, {len(queries)} queries x {args.rounds} rounds, depth {DEPTH}\n")
    print("| engine | filter | p50 ms | p95 ms | mean ms | keyword side built from SQLite | keyword.tantivy MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, filters in (("none", Filters()), ("podcast (all passages)", Filters(podcast="Lex Fridman Podcast")),
                           ("one episode", Filters(episode=rows[0]["episode"]))):
        ms = timings(indexes, queries, args.rounds, filters)
        for name, values in ms.items():
            path, seconds = built[name]
            data = path / Manifest.read(path).generation / keyword_tantivy.DIR
            size = f"{size_mb(data):.0f}" if data.is_dir() else "(in passages.sqlite)"
            print(f"| {name} | {label} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} | "
                  f"{statistics.mean(values):.1f} | {seconds:.1f} s | {size} |")
    print(f"\ntop-10 overlap (share of FTS5's top 10 in tantivy's): {overlap(indexes, queries):.2f}")


if __name__ == "__main__":
    main()
