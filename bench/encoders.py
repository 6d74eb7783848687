"""Encoders side by side: all-MiniLM-L6-v2 through torch and through ONNX Runtime int8 (bench/README.md "Encoders").

    python bench/encoders.py --sources bench/work/practicalai bench/work/lex160 [--passages 2000]

In one process, on the same texts: cosine of the ONNX vectors to torch's over real passages (as the index embeds
them: text plus context line), evenly spread over every source's episodes; one query's encoding latency (both on
1 thread, interleaved query by query, so the machine's load falls on both alike); batch throughput on the same
passages (both with every core, batch 64, alternating); a full `build()` of data/ with each.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from speed import machine  # noqa: E402

from indexer.index.embedding import SentenceTransformerEmbedder  # noqa: E402
from indexer.index.onnx_encoder import OnnxEmbedder  # noqa: E402
from indexer.index.updates import BuildReport, build, read_sources  # noqa: E402
from indexer.passages.chunking import episode_passages  # noqa: E402
from indexer.passages.context import embedding_text  # noqa: E402
from indexer.passages.tokens import TokenCounter  # noqa: E402
from indexer.settings import Settings  # noqa: E402

QUESTIONS = [ROOT.parent / "shared" / "devset" / "lexicap_questions.jsonl",
             ROOT / "bench" / "devset" / "practicalai.jsonl"]


def real_passages(source: Path, n: int, settings: Settings) -> list[str]:
    """`n` embedding texts spread evenly over all the passages of a folder of episodes."""
    count = TokenCounter(settings.chunk.encoding)
    texts = [embedding_text(s.episode, p) for s in read_sources([source], BuildReport()) if s.transcript
             for p in episode_passages(s.episode, s.transcript, settings.chunk, count)]
    picks = np.linspace(0, len(texts) - 1, num=min(n, len(texts))).round().astype(int)
    return [texts[i] for i in sorted(set(picks.tolist()))]


def cosine_table(sources: list[Path], per_source: int, torch_emb: SentenceTransformerEmbedder,
                 onnx_emb: OnnxEmbedder, settings: Settings) -> tuple[str, list[str]]:
    rows = ["| passages | n | mean cosine | min | 1st percentile | share < 0.99 | share < 0.98 |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    every: list[np.ndarray] = []
    all_texts: list[str] = []
    for source in sources:
        texts = real_passages(source, per_source, settings)
        cos = (torch_emb.embed(texts) * onnx_emb.embed(texts)).sum(axis=1)
        every.append(cos)
        all_texts += texts
        rows.append(_cos_row(source.name, cos))
    rows.append(_cos_row("all", np.concatenate(every)))
    return "\n".join(rows), all_texts


def _cos_row(label: str, cos: np.ndarray) -> str:
    return (f"| {label} | {len(cos)} | {cos.mean():.4f} | {cos.min():.4f} | {np.percentile(cos, 1):.4f} | "
            f"{(cos < 0.99).mean():.1%} | {(cos < 0.98).mean():.1%} |")


def pct(values: list[float]) -> str:
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return f"{p50:.1f} | {p95:.1f} | {p99:.1f} | {max(values):.1f}"


def latency_table(torch_emb: SentenceTransformerEmbedder, onnx_emb: OnnxEmbedder, n: int) -> str:
    """One query at a time, torch and ONNX alternating query by query, both on one thread."""
    import torch

    queries = [json.loads(line).get("question") or json.loads(line)["query"]
               for path in QUESTIONS if path.is_file() for line in path.read_text(encoding="utf-8").splitlines()]
    queries = queries[:n]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    times: dict[str, list[float]] = {"torch": [], "onnx": []}
    try:
        for q in queries[:10]:  # warm-up
            torch_emb.embed([q]), onnx_emb.embed([q])
        for q in queries:
            for name, emb in (("torch", torch_emb), ("onnx", onnx_emb)):
                started = time.perf_counter()
                emb.embed([q])
                times[name].append((time.perf_counter() - started) * 1000)
    finally:
        torch.set_num_threads(threads)
    return ("| encoder (1 thread) | queries | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n"
            + "\n".join(f"| {name} | {len(v)} | {pct(v)} |" for name, v in times.items()))


def throughput_table(texts: list[str], torch_emb: SentenceTransformerEmbedder, onnx_emb: OnnxEmbedder,
                     rounds: int = 2) -> str:
    """The same passages encoded by each, alternating, every core, batch 64."""
    rows = ["| round | encoder | passages | seconds | passages/s |", "|---:|---|---:|---:|---:|"]
    for n in range(1, rounds + 1):
        for name, emb in (("torch", torch_emb), ("onnx int8", onnx_emb)):
            started = time.perf_counter()
            emb.embed(texts)
            seconds = time.perf_counter() - started
            rows.append(f"| {n} | {name} | {len(texts)} | {seconds:.1f} | {len(texts) / seconds:.1f} |")
    return "\n".join(rows)


def build_table(corpus: Path, torch_emb: SentenceTransformerEmbedder, onnx_emb: OnnxEmbedder,
                settings: Settings) -> str:
    """A full build (parse, chunk, embed, write) of the same corpus with each encoder."""
    rows = ["| encoder | episodes | passages | seconds | passages/s |", "|---|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        for name, emb in (("torch", torch_emb), ("onnx int8", onnx_emb)):
            started = time.perf_counter()
            report = build([corpus], Path(tmp) / name.replace(" ", "-"), settings, emb)
            seconds = time.perf_counter() - started
            rows.append(f"| {name} | {report.episodes} | {report.passages} | {seconds:.1f} | "
                        f"{report.passages / seconds:.1f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, nargs="+", required=True, help="folders of episodes (real text)")
    parser.add_argument("--passages", type=int, default=2000, help="passages for the cosine table, over all sources")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--throughput-passages", type=int, default=640)
    parser.add_argument("--build", type=Path, default=ROOT / "data", help="corpus for the full-build table")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    print(f"Machine: {machine()}\n")
    torch_emb = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    query_emb = OnnxEmbedder(settings.model, settings.onnx_model, batch_size=settings.batch_size, threads=1)
    build_emb = OnnxEmbedder(settings.model, settings.onnx_model, batch_size=settings.batch_size, threads=0)
    table, texts = cosine_table(args.sources, args.passages // len(args.sources), torch_emb, build_emb, settings)
    print("### Cosine of ONNX int8 to torch, real passages\n\n" + table + "\n")
    print("### One query's encoding\n\n" + latency_table(torch_emb, query_emb, args.queries) + "\n")
    step = max(1, len(texts) // args.throughput_passages)
    sample = texts[::step][:args.throughput_passages]
    print("### Batch encoding (every core, batch 64)\n\n" + throughput_table(sample, torch_emb, build_emb) + "\n")
    print(f"### Full build of {args.build.name}/\n\n" + build_table(args.build, torch_emb, build_emb, settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
