"""Answers: latency (p50/p95) and quality on the 20 demo questions, through the library and over HTTP.

    python -m indexer build data --out /tmp/ask-demo --quiet      # once
    python bench/answers.py /tmp/ask-demo [--llm http://127.0.0.1:8080/v1] [--repeat 3] [--threads 1]
    python bench/answers.py INDEX --devset ../shared/devset/lexicap_questions.jsonl   # natural questions

With `--devset` (the natural questions plus bench/devset/unanswerable.jsonl, our own questions on topics the
corpus does not hold) it prints, per half, how often the cited second is in the answer's span (first citation,
any of the first three), the verbatim rate, "not found" on the unanswerable ones, the latency, and the
precision/coverage curve of the not-found threshold (`bench/answer_quality.py`).

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

from indexer.answer.citations import Answer, normalise  # noqa: E402
from indexer.answer.extractive import MIN_ANSWER_SCORE, ExtractiveAnswerer  # noqa: E402
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


UNANSWERABLE = ROOT / "bench" / "devset" / "unanswerable.jsonl"
SPAN_SLACK_S = 10.0  # a quote may start this much before the answer's span (the lead-in of the same turn)


def at_moment(citation: dict, q: dict) -> bool:
    """The citation plays from inside the question's answer span (its episode, start - slack .. end)."""
    second = citation.get("start_s")
    return (citation["episode"]["id"] == q["episode"] and second is not None
            and q["start_s"] - SPAN_SLACK_S <= second <= q["end_s"])


def record(answerer: object, q: dict) -> dict:
    """One question answered with no threshold: its best score, citations and whether each quote is verbatim."""
    started = time.perf_counter()
    answer = answerer.ask(q["question"])  # type: ignore[attr-defined]
    ms = (time.perf_counter() - started) * 1000
    stored = answerer.searcher.stored_texts([c.passage_id for c in answer.citations])  # type: ignore[attr-defined]
    cites = [{"episode": {"id": c.episode.id}, "start_s": c.start_s, "kind": c.kind,
              "verbatim": normalise(c.quote) in normalise(stored.get(c.passage_id, ""))} for c in answer.citations]
    return {**q, "found": answer.found, "score": answer.score, "citations": cites, "ms": ms}


def summary(rows: list[dict], threshold: float) -> dict[str, float]:
    """The issue's numbers at one threshold: coverage, first/top-3 at the moment (of answerable questions and of
    those answered), verbatim, and not found on the unanswerable ones."""
    ans = [r for r in rows if "episode" in r]
    una = [r for r in rows if "episode" not in r]
    given = [r for r in ans if r["found"] and r["score"] >= threshold]
    first = sum(at_moment(r["citations"][0], r) for r in given)
    top3 = sum(any(at_moment(c, r) for c in r["citations"][:3]) for r in given)
    cites = [c for r in rows if r["found"] for c in r["citations"]]
    return {"coverage": len(given) / max(1, len(ans)), "first": first / max(1, len(ans)),
            "top3": top3 / max(1, len(ans)), "first_given": first / max(1, len(given)),
            "top3_given": top3 / max(1, len(given)), "verbatim": sum(c["verbatim"] for c in cites) / max(1, len(cites)),
            "not_found": sum(not (r["found"] and r["score"] >= threshold) for r in una) / max(1, len(una))}


def run_devset(args: argparse.Namespace) -> int:
    settings = replace(Settings(), llm_url=args.llm, llm_model=args.llm_model)
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    searcher = Searcher(Index.open(args.index), embedder, settings)
    answerer = answerer_for(searcher, args.llm, args.llm_model, settings.llm_timeout, passages=args.k)
    if isinstance(answerer, ExtractiveAnswerer):
        answerer.min_score = -1.0  # every question gets its best answer and score; the threshold is swept below
    questions = [json.loads(line) for line in args.devset.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions += [json.loads(line) for line in UNANSWERABLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [q for q in questions if args.half in (None, q["qid"][3])]
    answerer.ask(questions[0]["question"])  # warm-up
    rows = [record(answerer, q) for q in questions]
    rows += [record(answerer, q) for _ in range(args.repeat - 1) for q in questions[:40]]  # warm repeats: timing
    ms = [r["ms"] for r in rows]
    rows = rows[:len(questions)]
    tune = [r for r in rows if r["qid"][3] == "A"]
    report = [r for r in rows if r["qid"][3] == "B"]
    print(f"Machine: {machine()}; torch/FAISS threads {args.threads}")
    print(f"Index: {args.index} ({searcher.index.counts()['passages']} passages); answerer: {answerer.name}; "
          f"{len(questions)} questions, then {args.repeat - 1} more passes over the first 40 (cached)\n")
    print(f"latency ms p50 | p95 | max: {percentiles(ms)} (first pass only: {percentiles(ms[:len(questions)])})\n")
    keys = ["coverage", "first", "top3", "first_given", "top3_given", "verbatim", "not_found"]
    print("| threshold | half | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 2) + "|")
    default = MIN_ANSWER_SCORE
    cuts = sorted({round(t, 2) for t in [x / 100 for x in range(30, 61, 2)] + [default]})
    if not isinstance(answerer, ExtractiveAnswerer):
        cuts = [0.0]  # a model's answer has no similarity score: it answers or says NOT FOUND
    for t in cuts:
        for name, half in (("A", tune), ("B", report)) if args.half is None else ((args.half, rows),):
            s = summary(half, t)
            mark = " **(default)**" if abs(t - default) < 1e-9 and len(cuts) > 1 else ""
            print(f"| {t:.2f}{mark} | {name} | " + " | ".join(f"{s[k]:.3f}" for k in keys) + " |")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--llm", help="an OpenAI-compatible chat endpoint; default: extractive answers")
    parser.add_argument("--llm-model", default="local")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the questions (latency samples)")
    parser.add_argument("--threads", type=int, default=1, help="torch/FAISS threads (the service's default: 1)")
    parser.add_argument("--devset", type=Path, help="natural questions (jsonl); with bench/devset/unanswerable.jsonl")
    parser.add_argument("--out", type=Path, help="with --devset: write every question's record (JSON) here")
    parser.add_argument("--half", choices=["A", "B"], help="with --devset: only this half (e.g. B for a slow model)")
    parser.add_argument("--k", type=int, default=6, help="passages an answer reads (the default answerer's 6)")
    args = parser.parse_args()
    limit_compute_threads(args.threads)
    if args.devset:
        return run_devset(args)
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
