"""Attack: replay issue 14's attack set against a real service and the real CLI; each attack's cost, all bounded.

    python bench/attack.py [--index DIR] [--slow-bound 62] [--out F]

Loopback only and bounded in time (about 3 minutes; 4-5 when slow clients are never cut): it starts
`python -m service` with an API key on a free port over a copy of `--index` (default: a small index it builds from
two demo episodes in data/), then sends oversized and ambiguous bodies, slow clients, amplification inputs (a
1,500-sentence summary then /ask over it; 16,000 repeats of one word in a transcript and in a chapter description,
then a keyword search and /ask; a time of 1e306), and wrong-key DELETEs with rotating X-Forwarded-For
(bench/attack_http.py); then path escapes through `build`/`add` and `--fetch` at loopback hosts (bench/attack_cli.py).

For each attack it prints what was sent, what came back, the wall time, and the memory it cost: the server's peak
RSS over its RSS just before (the kernel's high-water mark, reset per attack), or for a CLI run the process's own
peak RSS. Each has a bound on its outcome, time and memory; the exit status is 1 if any attack is not bounded.
The read rate limit is raised (the probes and searches here are not what is measured); the write limit keeps its
default of 10 a minute, which the forwarded-header attack must run into.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: `bench` is then not importable from bench/ itself

from bench import attack_http as web  # noqa: E402
from bench.attack_cli import cli_attacks  # noqa: E402
from bench.loadkit import QUERIES, Server  # noqa: E402

SMALL_INDEX_SOURCES = ["data/000_63d314c80ff6c941.txt", "data/practicalai/practical-ai-229.json"]
# A write embeds its passages 64 at a time, each up to the model's 256 word pieces: the attention and feed-forward
# activations of one such batch are about half a GB whatever the input's length, so that is a write's bound (and
# two writes of 151 and 321 passages must cost about the same)
WRITE_MB = 640


@dataclass
class Result:
    name: str
    sent: str
    outcome: str
    wall_s: float
    rss_mb: float  # server: peak growth over the RSS before; CLI: the process's peak RSS
    bound: str
    ok: bool


def server_attacks(port: int, url: str, slow_s: float) -> list[tuple[str, float, float, Callable[[], web.Outcome]]]:
    """(name, wall bound s, server RSS growth bound MB, attack), in the order they run."""
    summary = web.attack_episode("attack-summary", summary=web.LONG_SUMMARY)
    repeated = web.attack_episode("attack-repeat",
                                  transcript=[{"start": 0, "end": 60, "speaker": "A", "text": web.REPEATED}],
                                  chapters=[{"start": 0, "title": "Repeats", "description": web.REPEATED}])
    return [
        ("body: declared 1 GiB", 2, 16, lambda: web.body_declared(port)),
        ("body: chunked past the cap", 10, 48, lambda: web.body_chunked(port)),
        ("framing: CL + TE", 2, 8, lambda: web.smuggle(port)),
        ("slow client: body", slow_s + 1, 16, lambda: web.slow_body(port, url, slow_s)),
        ("slow client: headers x50", slow_s + 1, 32, lambda: web.slow_headers(port, url, slow_s)),
        ("amplify: 1,500-sentence summary", 60, WRITE_MB, lambda: web.post(url, summary, "1,500-sentence summary")),
        ("amplify: /ask over it", 5, 100, lambda: web.ask(url, "What did the guest say about privacy?",
                                                          "attack-summary")),
        ("amplify: 16k repeats of a word", 60, WRITE_MB, lambda: web.post(
            url, repeated, "16,000 x one word, in a segment and a chapter description")),
        ("amplify: keyword search for it", 1, 50, lambda: web.search_repeated(url)),
        ("amplify: /ask for it", 5, 100, lambda: web.ask(url, "zyzzyva?", "attack-repeat")),
        ("time: end 1e306", 2, 16, lambda: web.huge_time(url)),
        ("rate limit: X-Forwarded-For", 5, 16, lambda: web.forwarded(url)),
    ]


def warm_up(url: str, rounds: int = 10) -> None:
    """Searches and asks before the first attack, so that what a first request loads is not charged to an attack."""
    with httpx.Client(base_url=url, timeout=120) as client:
        for i in range(rounds):
            client.get("/search", params={"q": QUERIES[i % len(QUERIES)], "k": 10}).raise_for_status()
            if i % 5 == 0:
                client.post("/ask", json={"question": QUERIES[i % len(QUERIES)]}).raise_for_status()


def run_server_attacks(server: Server, slow_s: float) -> list[Result]:
    warm_up(server.url)
    results = []
    for name, wall_bound, rss_bound, attack in server_attacks(server.port, server.url, slow_s):
        before = server.reset_peak()
        started = time.monotonic()
        sent, outcome, ok = attack()
        wall = time.monotonic() - started
        grew = server.peak_mb() - before
        results.append(Result(name, sent, outcome, round(wall, 2), round(grew, 1),
                              f"outcome; <= {wall_bound:g} s; server +{rss_bound} MB",
                              ok and wall <= wall_bound and grew <= rss_bound))
        print(_row(results[-1]), file=sys.stderr, flush=True)
    return results


def run_cli_attacks(work: Path, peak_bound_mb: float = 1500, wall_bound_s: float = 60) -> list[Result]:
    results = []
    for name, attack in cli_attacks(work):
        sent, run, outcome, ok = attack()
        results.append(Result(name, sent, outcome, round(run.wall_s, 2), round(run.peak_mb, 1),
                              f"refused; <= {wall_bound_s:g} s; process peak {peak_bound_mb:g} MB",
                              ok and run.wall_s <= wall_bound_s and run.peak_mb <= peak_bound_mb))
        print(_row(results[-1]), file=sys.stderr, flush=True)
    return results


def small_index(work: Path) -> Path:
    """Two demo episodes (the seed record, one Practical AI episode) built into `work/index` with the CLI."""
    index = work / "index"
    subprocess.run([sys.executable, "-m", "indexer", "build", *SMALL_INDEX_SOURCES, "--out", str(index), "--quiet"],
                   cwd=ROOT, check=True, capture_output=True)
    return index


def _row(r: Result) -> str:
    cells = [r.name, r.sent, r.outcome, f"{r.wall_s:.2f}", f"{r.rss_mb:+.1f}" if "server" in r.bound
             else f"{r.rss_mb:.0f} peak", r.bound, "yes" if r.ok else "**NO**"]
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def table(results: list[Result]) -> str:
    head = ["attack", "sent", "outcome", "wall s", "RSS MB", "bound", "bounded"]
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + [_row(r) for r in results])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="an index to attack a copy of (default: build a small one)")
    # the service's defaults: headers within 10 s, a body within 60 s (PODQUERY_HEADER_TIMEOUT, _BODY_TIMEOUT), and
    # the connection cut a second after the body's deadline
    parser.add_argument("--slow-bound", type=float, default=62.0,
                        help="seconds within which the server must cut a slow client (default 62)")
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="podquery-attack-"))
    index = work / "index"
    if args.index:
        shutil.copytree(args.index, index)
    else:
        small_index(work)
    server = Server(index, work / "server.log", env={"PODQUERY_API_KEY": web.KEY}, sample_every=3600)
    try:
        results = run_server_attacks(server, args.slow_bound)
    finally:
        server.stop()
    results += run_cli_attacks(work)
    print(table(results))
    if args.out:
        args.out.write_text(json.dumps([asdict(r) for r in results], indent=2))
    shutil.rmtree(work, ignore_errors=True)
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(f"not bounded: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
