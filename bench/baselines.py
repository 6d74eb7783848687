"""Baselines on the same passages and dev set: plain BM25 (bm25s + PyStemmer) and txtai (in its own venv).

Both see each passage's spoken text only (no title or chapter context) and are judged by indexer.evaluate's
rule; queries cut from descriptions drop summary passages exactly as for podquery (fetched 3k deep).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from indexer.eval.evaluate import Candidate, EvalResult, Query, score
from indexer.index.reader import Index

ROOT = Path(__file__).resolve().parents[1]
TXTAI_PY = ROOT / "bench" / ".venv-txtai" / "bin" / "python"


@dataclass
class Baseline:
    """One system's quality, indexing time and single-query latency on the shared passages."""

    name: str
    result: EvalResult
    index_s: float
    passages: int
    latencies_ms: list[float]
    note: str = ""


def passages(index: Index) -> list[Candidate]:
    rows = index.conn.execute("SELECT id, episode_id, kind, start_s, end_s FROM passages ORDER BY id")
    return [Candidate(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows]


def pool_of(cands: list[Candidate]) -> dict[str, list[Candidate]]:
    pool: dict[str, list[Candidate]] = {}
    for c in cands:
        pool.setdefault(c.episode, []).append(c)
    return pool


def bm25s_baseline(index: Index, queries: list[Query], k: int = 10) -> Baseline:
    import bm25s
    import Stemmer

    cands = passages(index)
    texts = [r[0] for r in index.conn.execute("SELECT text FROM passages ORDER BY id")]
    stemmer = Stemmer.Stemmer("english")
    started = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False),
                    show_progress=False)
    index_s = time.perf_counter() - started
    ranked, latencies = {}, []
    for q in queries:
        t = time.perf_counter()
        tokens = bm25s.tokenize([q.query], stopwords="en", stemmer=stemmer, show_progress=False)
        docs, _ = retriever.retrieve(tokens, k=3 * k, show_progress=False, n_threads=1)
        latencies.append(1000 * (time.perf_counter() - t))
        ranked[q.qid] = [cands[int(d)] for d in docs[0]]
    result = score(queries, ranked, pool_of(cands), k=k, label="bm25s")
    return Baseline("bm25s (BM25, PyStemmer, en stop words)", result, index_s, len(cands), latencies,
                    f"bm25s {bm25s.__version__}")


def txtai_baselines(index: Index, queries: list[Query], model_dir: str, work: Path, *, k: int = 10,
                    rerun: bool = False) -> list[Baseline] | str:
    """txtai over the same texts, searched dense / hybrid / BM25; its raw output is cached in `work`
    (indexing 18k passages takes about ten minutes here). Returns why not, as text, when it cannot run."""
    out = work / "txtai.json"
    if rerun or not out.is_file():
        if not TXTAI_PY.is_file():
            return f"{TXTAI_PY} is missing: create bench/.venv-txtai (see bench/README.md)"
        pfile, qfile = work / "baseline-passages.jsonl", work / "baseline-queries.jsonl"
        rows = index.conn.execute("SELECT id, text FROM passages ORDER BY id")
        pfile.write_text("".join(json.dumps({"id": r[0], "text": r[1]}) + "\n" for r in rows), "utf-8")
        qfile.write_text("".join(json.dumps({"qid": q.qid, "query": q.query}) + "\n" for q in queries), "utf-8")
        cmd = [str(TXTAI_PY), str(ROOT / "bench" / "txtai_baseline.py"), str(pfile), str(qfile), model_dir,
               str(out), "--k", str(3 * k)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            return f"txtai failed (exit {done.returncode}): {done.stderr.strip().splitlines()[-1:]}"
    data = json.loads(out.read_text("utf-8"))
    by_id = {c.id: c for c in passages(index)}
    pool = pool_of(list(by_id.values()))
    found = []
    components = data["config"].get("build", {}).get("settings", {}).get("components")
    # outputs written before the script read VmHWM carry the parent's ru_maxrss: not txtai's
    rss = f"peak RSS {data['peak_rss_mb']:.0f} MiB" if data.get("rss_source") == "VmHWM" else "peak RSS not measured"
    for name, run in data["runs"].items():
        ranked = {qid: [by_id[i] for i in ids if i in by_id] for qid, ids in run["results"].items()}
        result = score(queries, ranked, pool, k=k, label=f"txtai {name}")
        found.append(Baseline(f"txtai {data['txtai']} {name} (weights={run['weights']})", result, data["index_s"],
                              data["passages"], run["latencies_ms"],
                              f"one hybrid index, faiss {components}; {rss}"))
    return found


def percentiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 of a sample (inclusive method: fine for a few hundred values)."""
    q = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), q[94], q[98]


def table(rows: list[Baseline]) -> str:
    out = ["| system | passages | index s | passages/s | p50 ms | p95 ms | hit@1 | hit@10 | MRR@10 | notes |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for b in rows:
        p50, p95, _ = percentiles(b.latencies_ms)
        m = b.result.overall
        out.append(f"| {b.name} | {b.passages} | {b.index_s:.1f} | {b.passages / max(b.index_s, 1e-9):.0f} | "
                   f"{p50:.1f} | {p95:.1f} | {m.hit_at_1:.3f} | {m.hit_at_10:.3f} | {m.mrr_at_10:.3f} | {b.note} |")
    return "\n".join(out)
