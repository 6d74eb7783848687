"""A million passages on one laptop: build a bench index from real podcast text, then measure it over HTTP.

    # the index: real episodes (any folders `python -m indexer build` reads), replicated under new ids until the
    # passage count is reached; vectors are the real encoder output of the real passages, read from indexes
    # already built over the same folders (so the million costs no re-embedding)
    python bench/million.py build --source bench/work/lex160 --source bench/work/practicalai \
        --vectors-from bench/work/lex160-index --vectors-from bench/work/pa-index --passages 1000000 --out bench/work/m1

    # HTTP: cold start, resident memory, one-at-a-time latency of hybrid and keyword searches
    python bench/million.py http --index bench/work/m1 --queries ../shared/devset/lexicap_questions.jsonl

`build` honours the usual settings (`PODQUERY_FAISS_FACTORY`, `PODQUERY_KEYWORD_ENGINE`, ...), so the same
command builds today's path and the new one side by side. Copies are whole episodes under new ids
(`<id>~copy<n>`, title suffixed), so their passages repeat real text; the report says how many passages are real.
A passage whose vector is not in the given indexes is embedded by the packaged model (and counted).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.datamodel import EpisodeSource  # noqa: E402
from indexer.index import store  # noqa: E402
from indexer.index.embedding import Embedder, load_embedder  # noqa: E402
from indexer.index.reader import Index  # noqa: E402
from indexer.index.updates import BuildReport, read_sources  # noqa: E402
from indexer.index.writer import IndexWriter  # noqa: E402
from indexer.settings import Settings  # noqa: E402


class StoredVectors:
    """An Embedder that answers with vectors already computed for the same passage text (keyed by the text
    before the context line), and embeds only what it has never seen. It carries the real model's identity: the
    vectors are that model's."""

    def __init__(self, model: Embedder, indexes: list[Path]) -> None:
        self.model = model
        self.name, self.dimension, self.fingerprint = model.name, model.dimension, model.fingerprint
        self.known: dict[str, np.ndarray] = {}
        for path in indexes:
            index = Index.open(path)
            ids = store.passage_ids(index.conn)
            for start in range(0, len(ids), 5000):
                batch = ids[start:start + 5000]
                texts = index.passages(batch)
                for pid, vector in zip(batch, index.vectors_of(batch), strict=True):
                    self.known.setdefault(texts[pid].text, vector)
            index.close()
        self.embedded = 0

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        keys = [t if t in self.known else t.rsplit("\n", 1)[0] for t in texts]
        missing = [t for t, key in zip(texts, keys, strict=True) if key not in self.known]
        if missing:
            self.embedded += len(missing)
            fresh = self.model.embed(missing, progress=progress)
            self.known.update({t.rsplit("\n", 1)[0]: v for t, v in zip(missing, fresh, strict=True)})
            keys = [k if k in self.known else t.rsplit("\n", 1)[0] for t, k in zip(texts, keys, strict=True)]
        return np.vstack([self.known[k] for k in keys]) if texts else np.zeros((0, self.dimension), np.float32)


def copies(sources: list[EpisodeSource], n: int) -> list[EpisodeSource]:
    """The episodes again under new ids, titles suffixed (the text, and so each passage's vector, is real)."""
    return [replace(s, episode=replace(s.episode, id=f"{s.episode.id}~copy{n}", title=f"{s.episode.title} ({n})"))
            for s in sources]


def build(args: argparse.Namespace) -> None:
    settings = Settings.from_env()
    report = BuildReport()
    sources = [s for s in read_sources(args.source, report) if s.transcript is not None]
    embedder = StoredVectors(load_embedder(settings), args.vectors_from)
    started = time.perf_counter()
    real = total = rounds = 0
    with IndexWriter(args.out, embedder, settings, fresh=True) as writer:
        while total < args.passages:
            batch = sources if rounds == 0 else copies(sources, rounds)
            for start in range(0, len(batch), 200):
                written = writer.add(batch[start:start + 200])
                total += written
                real += written if rounds == 0 else 0
                print(f"\r{total:,} passages ({real:,} real), {time.perf_counter() - started:.0f} s", end="",
                      flush=True)
                if total >= args.passages:
                    break
            rounds += 1
        manifest = writer.commit()
    took = time.perf_counter() - started
    print(f"\n{total:,} passages ({real:,} real, {total - real:,} in copies of whole episodes), "
          f"{embedder.embedded:,} embedded, {took:.0f} s; vectors {manifest.faiss_factory}; counts {manifest.counts}")


def _ms(samples: list[float], q: float) -> float:
    return 1000 * (statistics.quantiles(samples, n=100)[int(q) - 1] if len(samples) > 1 else samples[0])


def tree_memory(pid: int) -> tuple[float, float]:
    """RSS and PSS in MB of `pid` and its children (uvicorn's workers)."""
    pids = [pid] + [int(p.parent.name) for p in Path("/proc").glob("[0-9]*/stat")
                    if p.read_text().rsplit(")", 1)[1].split()[1] == str(pid)]
    rss = pss = 0.0
    for p in pids:
        for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1]) / 1024
            elif line.startswith("Pss:"):
                pss += int(line.split()[1]) / 1024
    return rss, pss


def http(args: argparse.Namespace) -> None:
    import httpx

    sys.path.insert(0, str(ROOT / "bench"))
    from load import Server  # the same loopback server the load test uses

    rows = [json.loads(line) for path in args.queries for line in path.read_text("utf-8").splitlines() if line]
    queries = [str(r.get("question") or r.get("query")) for r in rows][:args.limit]
    os.environ["PODQUERY_WORKERS"] = str(args.workers)
    started = time.perf_counter()
    server = Server(args.index, Path(args.log))
    cold = time.perf_counter() - started
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; index {args.index}; "
          f"{len(queries)} queries one at a time, k=10; cold start to healthy {cold:.1f} s (model load included)")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for mode in ("hybrid", "keyword"):
                took = []
                for q in queries:
                    t = time.perf_counter()
                    client.get(f"/search?q={quote(q)}&k=10&mode={mode}").raise_for_status()
                    took.append(time.perf_counter() - t)
                print(f"| {mode} | p50 {_ms(took, 50):.1f} ms | p95 {_ms(took, 95):.1f} ms "
                      f"| p99 {_ms(took, 99):.1f} ms |")
        rss, pss = tree_memory(server.proc.pid)
        print(f"{args.workers} worker(s): RSS {rss:.0f} MB, PSS {pss:.0f} MB (the server's processes together; PSS "
              "counts shared pages once)")
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--source", type=Path, action="append", required=True)
    b.add_argument("--vectors-from", type=Path, action="append", default=[])
    b.add_argument("--passages", type=int, default=1_000_000)
    b.add_argument("--out", type=Path, required=True)
    h = sub.add_parser("http")
    h.add_argument("--index", type=Path, required=True)
    h.add_argument("--queries", type=Path, action="append", required=True)
    h.add_argument("--limit", type=int, default=300)
    h.add_argument("--workers", type=int, default=1)
    h.add_argument("--log", default="/tmp/million-server.log")
    args = ap.parse_args()
    {"build": build, "http": http}[args.command](args)


if __name__ == "__main__":
    main()
