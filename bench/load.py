"""Load: the highest /search rate the service sustains, minutes at 80% of it, the same while the index swaps, and mixed.

    python bench/load.py --index /tmp/load-demo [--duration 300] [--rate R] [--phases max,sustain,swap,mixed]
                         [--out F]

Loopback only, bounded in requests and time, and it stops by itself: it starts `python -m service` on a free port
(over a copy of the index, so the swap phase leaves the original alone), runs the phases, stops the server.

* **max**: wrk (closed loop, 1 thread) at 1, 2, 4, 8, 16 connections for 20 s each; the highest rate with no errors
  and p99 under 2 s is the sustainable rate. Baselines at that step's connections, same run: keyword-only search
  (no query embedding) and /health (the HTTP stack alone).
* **sustain**: an open-loop generator (asyncio + httpx) sends `--rate` requests a second (default 80% of max) for
  `--duration` s. Latency counts from when a request was *due*, so a stalled server cannot hide its queue
  (no coordinated omission). The server's RSS is sampled every 2 s.
* **swap**: the same, while `python -m indexer add` adds an episode (a demo episode under a new id: every passage
  embedded anew) 20 s in; the server must pick up the new generation with zero failed searches.
* **mixed** (bench/mixed.py): searches, asks (`POST /ask`) and writes (`POST`/`DELETE /episodes` with the API key,
  4 a minute) interleaved, open loop, at `--rate` search-equivalents a second (default 80% of max; an ask counts
  as the searches it costs, measured just before), for `--duration` s; 0 errors, and the server's RSS after the
  warm-up vs at the end.

Queries are the 23 demo questions of tests/fixtures/demo_questions.json, in turn. Rate limits are set far above
the offered load, so the limiter's cost is measured but it never refuses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `bench` is then not importable from bench/ itself

from bench.loadkit import QUERIES, Server, summarise  # noqa: E402
from bench.mixed import API_KEY, Mix, run_mixed  # noqa: E402

MAX_DURATION_S = 900  # the longest phase this script will run, whatever it is asked
MAX_P99_S = 2.0  # a search slower than this at p99 is not "sustained"
STEPS = (1, 2, 4, 8, 16)


WRK_SCRIPT = """
local queries = {%s}
local i = 0
request = function()
  i = i %% #queries + 1
  return wrk.format("GET", "%s" .. queries[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "p50_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def wrk_step(url: str, connections: int, seconds: int, script: Path) -> dict[str, float]:
    """One closed-loop wrk run: requests/s, p50/p99 in ms, and errors (socket errors and non-2xx answers)."""
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
                          url], capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    data = json.loads(out.split("WRKJSON ", 1)[1].splitlines()[0])
    return {"connections": connections, "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
            "p50_ms": data["p50_us"] / 1000, "p99_ms": data["p99_us"] / 1000, "errors": data["errors"]}


def wrk_script(prefix: str) -> Path:
    """A wrk Lua script sending GET `prefix` + each demo query in turn (a temporary file; the caller unlinks it)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % (", ".join(json.dumps(quote(q)) for q in QUERIES), prefix))
    return Path(f.name)


def find_max(url: str, seconds: int = 20) -> tuple[float, list[dict[str, float]], list[dict[str, object]]]:
    """The highest wrk rate over STEPS with no errors and p99 under MAX_P99_S, every step's numbers, and the
    baselines at the best step's connections: keyword-only search (no embedding) and /health (the HTTP stack)."""
    script = wrk_script("/search?k=10&q=")
    steps = []
    for c in STEPS:
        steps.append(wrk_step(url, c, seconds, script))
        print(f"wrk: {steps[-1]} (loadavg {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
    script.unlink()
    good = [s for s in steps if s["errors"] == 0 and s["p99_ms"] <= MAX_P99_S * 1000]
    best = max(good, key=lambda s: s["rps"]) if good else steps[0]
    baselines: list[dict[str, object]] = []
    for name, prefix in (("keyword only", "/search?k=10&mode=keyword&q="), ("/health", "/health?q=")):
        script = wrk_script(prefix)
        baselines.append({"what": name, **wrk_step(url, int(best["connections"]), seconds, script)})
        script.unlink()
        print(f"wrk baseline: {baselines[-1]}", file=sys.stderr, flush=True)
    return (best["rps"] if good else 0.0), steps, baselines


async def paced(url: str, rate: float, seconds: float, workers: int = 32) -> dict[str, object]:
    """Open loop: request i is due at start + i/rate, whatever happened to the others; latency counts from due.

    Due requests wait in an asyncio.Queue for one of `workers` connections: httpx's own pool, given thousands of
    waiting requests, spends CPU per request in proportion to the queue, and on 2 shared cores that starved the
    server it was measuring (a backlog after an index swap then never drained).
    """
    loop = asyncio.get_running_loop()
    results: list[tuple[float, float, bool]] = []  # (due offset s, latency s, ok)
    failures: list[str] = []
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()

    async def worker(client: httpx.AsyncClient) -> None:
        while (job := await queue.get()) is not None:
            i, due = job
            try:
                response = await client.get("/search", params={"q": QUERIES[i % len(QUERIES)], "k": 10})
                ok = response.status_code == 200
                if not ok:
                    failures.append(f"due at {due - start:.1f} s: {response.status_code}: {response.text[:120]}")
            except httpx.HTTPError as exc:
                ok = False
                failures.append(f"due at {due - start:.1f} s, after {loop.time() - due:.1f} s: {exc!r}")
            results.append((due - start, loop.time() - due, ok))

    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        start = loop.time()
        pool = [asyncio.create_task(worker(client)) for _ in range(workers)]
        for i in range(int(rate * min(seconds, MAX_DURATION_S))):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            queue.put_nowait((i, due))
        for _ in pool:
            queue.put_nowait(None)
        await asyncio.gather(*pool)
    return summarise(results, failures, loop.time() - start)


def add_episode(index: Path, folder: Path) -> tuple[float, float]:
    """`python -m indexer add` of a demo episode under a new id; (start, end) monotonic times of the command."""
    record = json.loads((ROOT / "data/practicalai/practical-ai-229.json").read_text())
    record["id"], record["transcript"] = "load-test-added", "load-test-added.md"
    (folder / "load-test-added.json").write_text(json.dumps(record))
    shutil.copy(ROOT / "data/practicalai/practical-ai-229.md", folder / "load-test-added.md")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "indexer", "add", str(index), str(folder / "load-test-added.json"),
                           "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"indexer add failed ({done.returncode}): {done.stderr[-500:]}")
    return started, time.monotonic()


def run_phase(server: Server, rate: float, seconds: float, index: Path | None = None,
              add_at: float = 20.0) -> dict[str, object]:
    """Paced load for `seconds`; with `index`, an episode is added `add_at` s in (the swap phase)."""
    started = time.monotonic()
    added: list[tuple[float, float]] = []
    if index is not None:
        folder = Path(tempfile.mkdtemp(prefix="load-add-"))
        timer = threading.Timer(add_at, lambda: added.append(add_episode(index, folder)))
        timer.start()
    result = asyncio.run(paced(server.url, rate, seconds))
    result["rate"] = rate
    result["rss"] = server.rss_between(started, time.monotonic())
    if index is not None:
        timer.join()
        (add_start, add_end), = added
        result["add_s"] = round(add_end - add_start, 1)
        gens = [(t, g) for t, _, g, _ in server.samples if t >= started]
        switched = next((t for (t, g), (_, g0) in zip(gens[1:], gens, strict=False) if g != g0), None)
        result["generations"] = sorted({g for _, g in gens})
        # /health is sampled every 2 s; the CLI commits before it exits, so this can come before add_s
        result["new_generation_seen_s_after_add_started"] = round(switched - add_start, 1) if switched else None
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="an index of the demo corpus (data/)")
    parser.add_argument("--duration", type=float, default=300, help=f"seconds per paced phase (<= {MAX_DURATION_S})")
    parser.add_argument("--rate", type=float, help="requests/s for the paced phases (default: 80%% of max)")
    parser.add_argument("--phases", default="max,sustain,swap", help="any of max,sustain,swap,mixed")
    parser.add_argument("--ask-share", type=float, default=0.25, help="mixed: share of the rate spent on asks")
    parser.add_argument("--warmup", type=float, default=60, help="mixed: seconds before memory is compared")
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    args = parser.parse_args(argv)
    phases = set(args.phases.split(","))
    work = Path(tempfile.mkdtemp(prefix="podquery-load-"))
    index = work / "index"
    shutil.copytree(args.index, index)
    # writes (the mixed phase) need the key; their rate limit is raised like the searches'
    server = Server(index, work / "server.log", env={"PODQUERY_API_KEY": API_KEY,
                                                     "PODQUERY_WRITE_RATE_LIMIT": "1000000/minute"})
    report: dict[str, object] = {"loadavg_before": os.getloadavg(), "cpus": os.cpu_count(), "queries": len(QUERIES)}
    try:
        rate = args.rate
        if "max" in phases:
            report["max_rps"], report["steps"], report["baselines"] = find_max(server.url)
            rate = rate or round(0.8 * float(report["max_rps"]), 1)
        if not rate:
            parser.error("give --rate, or include the max phase")
        for phase in ("sustain", "swap", "mixed"):
            if phase == "mixed" and phase in phases:
                report[phase] = run_mixed(server, Mix(rate, ask_share=args.ask_share), min(args.duration,
                                                                                          MAX_DURATION_S), args.warmup)
            elif phase in phases:
                report[phase] = run_phase(server, rate, args.duration, index=index if phase == "swap" else None)
            if phase in phases:
                print(f"{phase}: {report[phase]}", file=sys.stderr, flush=True)
    finally:  # an interrupted run still leaves what it measured
        server.stop()
        report["loadavg_after"] = os.getloadavg()
        text = json.dumps(report, indent=2)
        print(text)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text)
    failed = sum(int(report[p]["errors"]) for p in ("sustain", "swap", "mixed") if p in report)  # type: ignore[index]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
