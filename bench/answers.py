"""Answers: latency (p50/p95) and quality on the 20 demo questions, through the library and over HTTP.

    python -m indexer build data --out /tmp/ask-demo --quiet      # once
    python bench/answers.py /tmp/ask-demo [--llm http://127.0.0.1:8080/v1] [--repeat 3] [--threads 1]

Library: `answerer.ask()` one question at a time after a warm-up (retrieval, sentence embedding and citation
checks included). HTTP: `POST /ask` to the real app under uvicorn on 127.0.0.1, timed at the client. Quality:
how often the first citation contains one of the question's answer words, comes from the expected episode, and
how many of the absent topics are answered "not found". Prints Markdown with the machine named.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from indexer.answer.citations import Answer  # noqa: E402
from indexer.answer.generative import answerer_for  # noqa: E402
from indexer.index.embedding import SentenceTransformerEmbedder  # noqa: E402
from indexer.index.reader import Index  # noqa: E402
from indexer.search.searcher import Searcher  # noqa: E402
from indexer.settings import Settings  # noqa: E402
from service import ServiceConfig, create_app  # noqa: E402
from service.state import limit_compute_threads  # noqa: E402

QUESTIONS = ROOT / "tests" / "fixtures" / "demo_questions.json"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return (f"{cpu}, {len(os.sched_getaffinity(0))} cores, {int(mem) / 2**20:.0f} GiB RAM, "
            f"Python {platform.python_version()}; load average at start {load}")


def percentiles(ms: list[float]) -> str:
    cuts = statistics.quantiles(ms, n=20, method="inclusive")  # 19 cut points: [9] is p50, [18] is p95
    return f"{cuts[9]:.0f} | {cuts[18]:.0f} | {max(ms):.0f}"


def quality(answers: list[dict], expected: list[dict]) -> tuple[int, int, int]:
    """(found, first citation contains an answer word, first citation from the expected episode)."""
    found = contains = episode = 0
    for answer, q in zip(answers, expected, strict=True):
        if not answer["found"]:
            continue
        found += 1
        first = answer["citations"][0]
        contains += any(w in first["quote"].lower() for w in q["answer_words"])
        episode += first["episode"]["id"] == q["episode"]
    return found, contains, episode


def as_dict(answer: Answer) -> dict:
    return {"found": answer.found, "citations": [{"quote": c.quote, "episode": {"id": c.episode.id}}
                                                 for c in answer.citations]}


def serve(app: object) -> tuple[uvicorn.Server, threading.Thread, str]:
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--llm", help="an OpenAI-compatible chat endpoint; default: extractive answers")
    parser.add_argument("--llm-model", default="local")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the questions (latency samples)")
    parser.add_argument("--threads", type=int, default=1, help="torch/FAISS threads (the service's default: 1)")
    args = parser.parse_args()
    limit_compute_threads(args.threads)
    data = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    answerable, absent = data["answerable"], data["absent"]
    settings = replace(Settings(), llm_url=args.llm, llm_model=args.llm_model)
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    searcher = Searcher(Index.open(args.index), embedder, settings)
    answerer = answerer_for(searcher, args.llm, args.llm_model, settings.llm_timeout)
    answerer.ask(answerable[0]["question"])  # warm-up: first-call costs are not an answer's latency

    lib_ms: list[float] = []
    lib_answers: list[dict] = []
    for _ in range(args.repeat):
        lib_answers = []
        for q in answerable:
            started = time.perf_counter()
            answer = answerer.ask(q["question"])
            lib_ms.append((time.perf_counter() - started) * 1000)
            lib_answers.append(as_dict(answer))
    not_found = sum(not answerer.ask(q).found for q in absent)

    # the per-client rate limit (if this version has one) would turn a benchmark's burst into 429s
    config = ServiceConfig.from_env({**os.environ, "PODQUERY_RATE_LIMIT": "off"})
    app = create_app(config.with_overrides(index=args.index, settings=settings), embedder=embedder)
    server, thread, url = serve(app)
    http_ms: list[float] = []
    http_answers: list[dict] = []
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            client.post("/ask", json={"question": answerable[0]["question"]}).raise_for_status()
            for _ in range(args.repeat):
                http_answers = []
                for q in answerable:
                    started = time.perf_counter()
                    response = client.post("/ask", json={"question": q["question"]})
                    http_ms.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    http_answers.append(response.json())
    finally:
        server.should_exit = True
        thread.join(timeout=10)

    n = len(answerable)
    print(f"Machine: {machine()}; torch/FAISS threads {args.threads}")
    print(f"Index: {args.index} ({searcher.index.counts()['passages']} passages); answerer: {answerer.name}"
          + (f" ({args.llm})" if args.llm else ""))
    print(f"{n} questions x {args.repeat} passes, one at a time, after a warm-up\n")
    print("| path | p50 ms | p95 ms | max ms | found | first citation has an answer word | from the right episode |")
    print("|---|---|---|---|---|---|---|")
    for name, ms, answers in (("library", lib_ms, lib_answers), ("HTTP POST /ask", http_ms, http_answers)):
        found, contains, episode = quality(answers, answerable)
        print(f"| {name} | {percentiles(ms)} | {found}/{n} | {contains}/{n} | {episode}/{n} |")
    print(f"\nAbsent topics answered 'not found': {not_found}/{len(absent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
