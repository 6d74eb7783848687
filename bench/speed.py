"""Speed: indexing throughput, cold start, search latency at three sizes (flat vs HNSW32), baselines side by side.

    python bench/speed.py [--index bench/work/pa-index] [--million] [--rerun-txtai]

Prints Markdown tables for bench/README.md. Builds what it needs once under bench/work/ (the demo index, the
synthetic 100k index, the 1M FAISS file) and reuses it. Latency is one query at a time through the library's
Searcher (query embedding included for semantic and hybrid), after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import baselines  # noqa: E402
import synth  # noqa: E402

from indexer.eval.evaluate import evaluate, read_queries  # noqa: E402
from indexer.index.embedding import SentenceTransformerEmbedder, resolve_model_path  # noqa: E402
from indexer.index.reader import Index  # noqa: E402
from indexer.index.updates import BuildReport, build, read_sources  # noqa: E402
from indexer.passages.chunking import episode_passages  # noqa: E402
from indexer.passages.context import embedding_text  # noqa: E402
from indexer.passages.tokens import TokenCounter  # noqa: E402
from indexer.search.searcher import Searcher  # noqa: E402
from indexer.settings import Settings  # noqa: E402

WORK = ROOT / "bench" / "work"
DEVSET = ROOT / "bench" / "devset" / "practicalai.jsonl"
LATENCY_QUERIES = 300


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (f"{cpu}, {len(__import__('os').sched_getaffinity(0))} cores, {int(mem) / 2**20:.0f} GiB RAM, "
            f"Python {platform.python_version()}, faiss {faiss.__version__}; load average at start {' '.join(load)} "
            "(shared machine)")


def du(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def throughput(corpus: Path, embedder: SentenceTransformerEmbedder, settings: Settings) -> str:
    """Full build (parse, chunk, embed, write) vs bare model.encode on the very same embedding texts."""
    out = WORK / "demo-index"
    started = time.perf_counter()
    report = build([corpus], out, settings, embedder)
    full_s = time.perf_counter() - started
    sources = read_sources([corpus], BuildReport())
    count = TokenCounter(settings.chunk.encoding)
    texts = [embedding_text(s.episode, p) for s in sources
             for p in episode_passages(s.episode, s.transcript, settings.chunk, count)]
    started = time.perf_counter()
    embedder._model.encode(texts, batch_size=settings.batch_size, normalize_embeddings=True)
    bare_s = time.perf_counter() - started
    return ("| what | episodes | passages | seconds | passages/s | index on disk |\n|---|---:|---:|---:|---:|---:|\n"
            f"| full build of {corpus.name}/ (`build()`) | {report.episodes} | {report.passages} | {full_s:.1f} | "
            f"{report.passages / full_s:.1f} | {du(out):.1f} MiB |\n"
            f"| bare `model.encode`, same texts, batch {settings.batch_size} | | {len(texts)} | {bare_s:.1f} | "
            f"{len(texts) / bare_s:.1f} | |")


COLD = """
import json, resource, sys, time
t0 = time.perf_counter()
from indexer.index.embedding import SentenceTransformerEmbedder
from indexer.index.reader import Index
from indexer.search.searcher import Searcher
from indexer.settings import Settings
t1 = time.perf_counter(); index = Index.open(sys.argv[1], mmap=sys.argv[2] == "1")
t2 = time.perf_counter(); emb = SentenceTransformerEmbedder(Settings().model)
t3 = time.perf_counter(); Searcher(index, emb, Settings()).search("speech recognition for podcasts")
t4 = time.perf_counter()
# VmHWM, not ru_maxrss: a forked child's ru_maxrss starts at its parent's peak (this bench's, GBs)
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"import": t1 - t0, "open": t2 - t1, "model": t3 - t2, "first": t4 - t3, "rss": hwm / 1024}))
"""


def cold_start(index_dir: Path) -> str:
    rows = ["| Index.open | imports s (no torch yet) | open s | model load s (torch import incl.) "
            "| first hybrid query ms | process peak RSS |",
            "|---|---:|---:|---:|---:|---:|"]
    for mmap in ("0", "1"):
        done = subprocess.run([sys.executable, "-c", COLD, str(index_dir), mmap], capture_output=True, text=True,
                              cwd=ROOT, check=True)
        d = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(f"| {'mmap (IO_FLAG_MMAP_IFC)' if mmap == '1' else 'read'} | {d['import']:.2f} | "
                    f"{d['open']:.3f} | {d['model']:.2f} | {1000 * d['first']:.0f} | {d['rss']:.0f} MiB |")
    return "\n".join(rows)


def pct(values: list[float]) -> str:
    p50, p95, p99 = baselines.percentiles(values)
    return f"{p50:.1f} | {p95:.1f} | {p99:.1f}"


def latency(configs: list[tuple[str, Index, str]], embedder: object, texts: list[str]) -> list[str]:
    """p50/p95/p99 of one search at a time, configs interleaved query by query so that load from other
    processes on a shared machine falls on all of them alike; plus the query embedding alone."""
    searchers = [(label, index, mode, Searcher(index, embedder, Settings())) for label, index, mode in configs]
    times: dict[int, list[float]] = {n: [] for n in range(len(searchers) + 1)}
    for text in texts[:10]:  # warm-up
        for *_, mode, searcher in searchers:
            searcher.search(text, mode=mode)
    for text in texts:
        t = time.perf_counter()
        embedder.embed([text])
        times[len(searchers)].append(1000 * (time.perf_counter() - t))
        for n, (*_, mode, searcher) in enumerate(searchers):
            t = time.perf_counter()
            searcher.search(text, mode=mode)
            times[n].append(1000 * (time.perf_counter() - t))
    rows = [f"| {label} | {len(index.vectors)} | {mode} | {pct(times[n])} |"
            for n, (label, index, mode, _) in enumerate(searchers)]
    return rows + [f"| (query embedding alone) | | | {pct(times[len(searchers)])} |"]


def million(index: Index, embedder: SentenceTransformerEmbedder, texts: list[str]) -> str:
    """FAISS alone at 1M vectors: flat (mmap IFC) vs HNSW32, one query and 100 at once, recall of HNSW."""
    path = synth.million(index, 1_000_000, WORK / "million-flat.faiss")
    queries = embedder.embed(texts)
    t = time.perf_counter()
    flat = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)
    load = time.perf_counter() - t
    rows = ["| FAISS 1M x 384 | build s | load s | one query p50 ms | p95 ms | p99 ms | 100 queries at once ms "
            "| recall@10 vs Flat |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    _, truth = flat.search(queries, 10)
    hnsw_path = WORK / "million-hnsw32.faiss"
    built = hnsw_path.with_suffix(".json")  # the build time, kept for reruns that reuse the file
    if not hnsw_path.is_file():
        t = time.perf_counter()
        hnsw = faiss.index_factory(flat.d, "HNSW32", faiss.METRIC_INNER_PRODUCT)
        hnsw.add(faiss.downcast_index(flat).reconstruct_n(0, flat.ntotal))
        built.write_text(json.dumps({"build_s": time.perf_counter() - t}))
        faiss.write_index(hnsw, str(hnsw_path))
    build_s = json.loads(built.read_text())["build_s"] if built.is_file() else float("nan")
    for name, idx in (("Flat (mmap IO_FLAG_MMAP_IFC)", flat), ("HNSW32, efSearch 64", None)):
        if name.startswith("HNSW"):
            t = time.perf_counter()
            idx = faiss.read_index(str(hnsw_path))
            load = time.perf_counter() - t
            faiss.downcast_index(idx).hnsw.efSearch = 64
        one = []
        for q in queries[:100]:
            t = time.perf_counter()
            idx.search(q[None, :], 50)
            one.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        _, found = idx.search(queries[:100], 50)
        batch = 1000 * (time.perf_counter() - t)
        recall = np.mean([len(set(found[i, :10]) & set(truth[i])) / 10 for i in range(100)])
        rows.append(f"| {name} | {'' if idx is flat else f'{build_s:.0f}'} | {load:.2f} | {pct(one)} | "
                    f"{batch:.0f} | {recall:.3f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, default=WORK / "pa-index")
    ap.add_argument("--corpus", type=Path, default=ROOT / "data", help="corpus for the throughput run")
    ap.add_argument("--million", action="store_true", help="also FAISS-only at 1M vectors (about 2 GB on disk)")
    ap.add_argument("--rerun-txtai", action="store_true", help="re-index with txtai instead of its cached output")
    ap.add_argument("--skip", default="", help="comma list of: throughput,cold,latency,baselines")
    args = ap.parse_args(argv)
    skip = set(args.skip.split(","))
    settings = Settings()
    print(f"Machine: {machine()}\n")
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    index = Index.open(args.index)
    queries = read_queries(DEVSET)
    texts = [q.query for q in queries][:LATENCY_QUERIES]
    print(f"Corpus: {args.index} = {index.counts()}, {du(args.index):.1f} MiB on disk\n")
    if "throughput" not in skip:
        print(f"### Indexing throughput\n\n{throughput(args.corpus, embedder, settings)}\n")
    if "cold" not in skip:
        print(f"### Cold start ({args.index.name})\n\n{cold_start(args.index)}\n")
    if "latency" not in skip:
        rows = ["| index | vectors | mode | p50 ms | p95 ms | p99 ms |", "|---|---:|---|---:|---:|---:|"]
        big = Index.open(synth.grow(args.index, WORK / "synth-100k", 5))
        configs = [("PA 299, Flat", index, m) for m in ("keyword", "semantic", "hybrid")]
        configs += [("PA 299, HNSW32", synth.with_vectors(index, "HNSW32"), m) for m in ("semantic", "hybrid")]
        configs += [("synthetic 5x, Flat", big, m) for m in ("keyword", "semantic", "hybrid")]
        configs += [("synthetic 5x, HNSW32", synth.with_vectors(big, "HNSW32"), m) for m in ("semantic", "hybrid")]
        rows += latency(configs, embedder, texts)
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(f"### Search latency, one query at a time ({len(texts)} dev-set queries; load after: {load})\n\n"
              + "\n".join(rows) + "\n")
    if args.million:
        print(f"### FAISS only, 1M vectors\n\n{million(index, embedder, texts)}\n")
    if "baselines" not in skip:
        ours = []
        for mode in ("keyword", "hybrid"):
            r = evaluate(Searcher(index, embedder, settings), queries, mode=mode, label=f"podquery {mode}")
            ours.append(r)
        found = [baselines.bm25s_baseline(index, queries)]
        model_dir = str(resolve_model_path(settings.model))
        got = baselines.txtai_baselines(index, queries, model_dir, WORK, rerun=args.rerun_txtai)
        if isinstance(got, str):
            print(f"txtai: {got}\n")
        else:
            found.extend(got)
        lines = ["| system | hit@1 | hit@10 | MRR@10 | ms/query (batched) |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {r.label} | {r.overall.hit_at_1:.3f} | {r.overall.hit_at_10:.3f} | {r.overall.mrr_at_10:.3f} | "
                  f"{r.ms_per_query:.1f} |" for r in ours]
        print(f"### Baselines on the same passages and dev set\n\n{baselines.table(found)}\n\n" + "\n".join(lines))
        from indexer.eval.report import format_table
        print("\n" + format_table([r.result for r in found] + ours))
    print(f"\nPeak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
