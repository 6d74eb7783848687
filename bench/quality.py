"""Quality on the dev set: keyword / semantic / hybrid and candidate defaults, as Markdown tables.

Experiments (each a table): modes; fusion (semantic_weight x rrf_k); FTS context columns on/off; summary
passages in/out of the ranking; chunk size (on subset indexes built by --build-chunks, since a chunk size
needs its own index). Seek offsets (seek_s vs passage start_s) are columns of every table.

    python bench/quality.py --index bench/work/pa-index [--rrf-k 60]           # modes, fusion, fts, kinds
    python bench/quality.py --build-chunks 120,200,300 --every 3               # build subset indexes once
    python bench/quality.py --only chunks --every 3                            # the chunk table
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.eval.evaluate import EvalResult, Query, evaluate, read_queries  # noqa: E402
from indexer.eval.report import format_table  # noqa: E402
from indexer.index import store  # noqa: E402
from indexer.index.embedding import SentenceTransformerEmbedder  # noqa: E402
from indexer.index.reader import Index  # noqa: E402
from indexer.index.updates import build  # noqa: E402
from indexer.search.searcher import Searcher  # noqa: E402
from indexer.settings import ChunkSettings, Settings  # noqa: E402

WORK = ROOT / "bench" / "work"
DEVSET = ROOT / "bench" / "devset" / "practicalai.jsonl"
CONTEXT_OFF = (1.0, 0.0, 0.0, 0.0, 0.0)  # spoken text only: title, chapter, podcast, speakers weigh nothing
CONTEXT_UP = (1.0, 1.0, 1.0, 0.5, 1.0)  # context as heavy as the spoken text


class CachedEmbedder:
    """The real embedder, remembering query vectors: every experiment asks the same 550 queries."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner = inner
        self.name, self.dimension, self.fingerprint = inner.name, inner.dimension, inner.fingerprint
        self._cache: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            self._cache.update(zip(todo, self.inner.embed(todo), strict=True))
        return np.vstack([self._cache[t] for t in texts]) if texts else self.inner.embed([])


def run(searcher: Searcher, queries: list[Query], label: str, mode: str = "hybrid", **kw: object) -> EvalResult:
    result = evaluate(searcher, queries, mode=mode, label=label, **kw)
    print(f"  {label}: hit@10 {result.overall.hit_at_10:.3f} MRR {result.overall.mrr_at_10:.3f}", file=sys.stderr)
    return result


def experiments(index: Index, embedder: CachedEmbedder, queries: list[Query], only: set[str],
                base: Settings) -> dict[str, list]:
    """Every experiment over one index, around the `base` settings; returns experiment name -> results."""
    out: dict[str, list[EvalResult]] = {}
    searcher = Searcher(index, embedder, base)
    embedder.embed([q.query for q in queries])  # warm the cache so ms/q compares retrieval, not the model
    if "modes" in only:
        out["modes"] = [run(searcher, queries, m, m) for m in ("keyword", "semantic", "hybrid")]
    if "fusion" in only:
        rows = []
        for k in (10, 20, 60):
            for w in (0.1, 0.25, 0.5, 1.0):
                s = Searcher(index, embedder, replace(base, rrf_k=k, semantic_weight=w))
                rows.append(run(s, queries, f"hybrid k={k} w_sem={w}"))
        out["fusion"] = rows
    if "fts" in only:
        rows = []
        variants = (("context default", store.FTS_WEIGHTS), ("context off", CONTEXT_OFF), ("context up", CONTEXT_UP))
        for name, weights in variants:
            saved = store.FTS_WEIGHTS
            store.FTS_WEIGHTS = weights  # read at query time by store.keyword_search
            try:
                rows.append(run(searcher, queries, f"keyword, {name}", "keyword"))
                rows.append(run(searcher, queries, f"hybrid, {name}"))
            finally:
                store.FTS_WEIGHTS = saved
        out["fts"] = rows
    if "kinds" in only:
        out["kinds"] = [run(searcher, queries, "hybrid, all kinds"),
                        run(searcher, queries, "hybrid, no summary passages", exclude_kinds=["summary"])]
    return out


def summary(results: list[EvalResult]) -> str:
    """One row per run: MRR@10 overall, the unweighted mean over groups (group sizes are arbitrary), per group."""
    groups = sorted({g for r in results for g in r.groups})
    head = ("| run | hit@1 | hit@10 | MRR@10 | MRR@10 mean of groups | "
            + " | ".join(f"MRR {g}" for g in groups) + " |\n|---|" + "---:|" * (4 + len(groups)))
    rows = [head]
    for r in results:
        macro = sum(r.groups[g].mrr_at_10 for g in groups) / len(groups)
        rows.append(f"| {r.label} | {r.overall.hit_at_1:.3f} | {r.overall.hit_at_10:.3f} | {r.overall.mrr_at_10:.3f} | "
                    f"**{macro:.3f}** | " + " | ".join(f"{r.groups[g].mrr_at_10:.3f}" for g in groups) + " |")
    return "\n".join(rows)


def subset_dir(every: int) -> Path:
    """Every Nth converted episode (by number), copied into its own folder once."""
    out = WORK / f"practicalai-every{every}"
    if not out.is_dir():
        src = WORK / "practicalai"
        records = sorted(src.glob("*.json"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))[::every]
        out.mkdir(parents=True)
        for rec in records:
            shutil.copy(rec, out / rec.name)
            shutil.copy(rec.with_suffix(".md"), out / f"{rec.stem}.md")
    return out


def build_chunks(sizes: list[int], every: int, embedder: SentenceTransformerEmbedder) -> None:
    src = subset_dir(every)
    for size in sizes:
        out = WORK / f"pa-every{every}-t{size}"
        settings = Settings(chunk=ChunkSettings(max_tokens=size))
        started = time.perf_counter()
        report = build([src], out, settings, embedder)
        print(f"built {out}: {report.episodes} episodes, {report.passages} passages, "
              f"{time.perf_counter() - started:.0f}s", file=sys.stderr)


def chunk_table(sizes: list[int], every: int, embedder: CachedEmbedder, queries: list[Query],
                base: Settings) -> list[EvalResult]:
    rows = []
    for size in sizes:
        index = Index.open(WORK / f"pa-every{every}-t{size}")
        held = {r[0] for r in index.conn.execute("SELECT id FROM episodes")}
        subset = [q for q in queries if q.episode in held]
        passages = index.counts()["passages"]
        for mode in ("keyword", "semantic", "hybrid"):
            rows.append(run(Searcher(index, embedder, base), subset, f"{size} tok ({passages} p), {mode}",
                            mode))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, default=WORK / "pa-index")
    ap.add_argument("--queries", type=Path, default=DEVSET)
    ap.add_argument("--only", default="modes,fusion,fts,kinds", help="comma list of: modes,fusion,fts,kinds,chunks")
    ap.add_argument("--chunks", default="120,200,300", help="chunk sizes (tokens) for the chunk table")
    ap.add_argument("--every", type=int, default=3, help="chunk subset: every Nth episode")
    ap.add_argument("--build-chunks", help="build the subset indexes for these sizes, then stop")
    ap.add_argument("--rrf-k", type=int, default=Settings().rrf_k, help="base rrf_k (default: the library's)")
    ap.add_argument("--semantic-weight", type=float, default=Settings().semantic_weight)
    ap.add_argument("--json", type=Path, help="also write every result here")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    inner = SentenceTransformerEmbedder(Settings().model)
    if args.build_chunks:
        build_chunks([int(s) for s in args.build_chunks.split(",")], args.every, inner)
        return 0
    embedder = CachedEmbedder(inner)
    queries = read_queries(args.queries)
    only = set(args.only.split(","))
    base = replace(Settings(), rrf_k=args.rrf_k, semantic_weight=args.semantic_weight)
    tables = experiments(Index.open(args.index), embedder, queries, only, base) if only - {"chunks"} else {}
    if "chunks" in only:
        tables["chunks"] = chunk_table([int(s) for s in args.chunks.split(",")], args.every, embedder, queries, base)
    for name, results in tables.items():
        print(f"\n### {name}\n\n{summary(results)}")
    for name, results in tables.items():
        print(f"\n### {name}, in full\n\n{format_table(results)}")
    if args.json:
        args.json.write_text(json.dumps({n: [r.to_json() for r in rs] for n, rs in tables.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
