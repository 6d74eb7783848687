"""bench/attack.py's attacks on the command line: paths that lead out of their folder, and `--fetch`.

Each attack is one `python -m indexer build` (or `add`) in a process of its own, measured with `os.wait4` (its
wall time and peak RSS). The file the escapes aim at is a real, readable WebVTT transcript outside the folders
holding a marker word, so an escape that worked would put the marker in the index; after each run the index (when
one was written) is searched for it. The fetch attacks aim a feed's transcript link at a loopback server that
trickles its body 5 bytes a second and records how long each connection was held.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.loadkit import ROOT

MARKER = "zanzibarsecret"
SECRET_VTT = f"WEBVTT\n\n00:00.000 --> 00:02.000\nthe {MARKER} line that must never be indexed\n"
OK_RECORD = {"id": "ok", "title": "A fine episode", "summary": "A fine episode about gardens and tomatoes."}
CLI_LIMIT_S = 120.0  # a run past this is killed (and reported unbounded)


@dataclass
class Run:
    """One CLI process: exit code, wall time, peak RSS (MB), and what it printed on stderr."""

    code: int
    wall_s: float
    peak_mb: float
    stderr: str


def run_cli(args: list[str], env: dict[str, str] | None = None) -> Run:
    """`python -m indexer ARGS`, its own peak RSS from the kernel (ru_maxrss of this child alone)."""
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"podquery-attack-{os.getpid()}-{time.monotonic_ns()}.err"
    started = time.monotonic()
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "indexer", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=err, env={**os.environ, **(env or {})})
    killer = threading.Timer(CLI_LIMIT_S, proc.kill)
    killer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen so it does not wait again
    stderr = log.read_text(errors="replace")
    log.unlink()
    return Run(proc.returncode, time.monotonic() - started, usage.ru_maxrss / 1024, stderr)


def marker_indexed(index: Path) -> bool:
    """Whether the index at `index` (if one was written) has a passage with MARKER in it."""
    if not (index / "manifest.json").exists():
        return False
    from indexer.index.reader import Index
    from indexer.search.filters import Filters

    opened = Index.open(index)
    try:
        return bool(opened.keyword_search([MARKER], 5, Filters()))
    finally:
        opened.close()


class Corpus:
    """A scratch folder: the secret outside, a legitimate record, and one folder per attack."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.outside = root / "outside"
        self.outside.mkdir(parents=True)
        (self.outside / "secret.vtt").write_text(SECRET_VTT)
        self.count = 0

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        (path / "ok.json").write_text(json.dumps(OK_RECORD))
        return path

    def feed(self, folder: Path, url: str = "https://example.com/t.vtt") -> Path:
        """A one-item RSS feed whose podcast:transcript link is `url` (guid `a1`)."""
        path = folder / "feed.xml"
        path.write_text('<?xml version="1.0"?><rss version="2.0" xmlns:podcast="https://podcastindex.org/'
                        'namespace/1.0"><channel><title>Attack</title><item><guid>a1</guid><title>Item</title>'
                        f'<description>An item.</description><podcast:transcript url="{url}" type="text/vtt"/>'
                        '</item></channel></rss>')
        return path

    def index(self) -> Path:
        self.count += 1
        return self.root / f"index-{self.count}"


def _verdict(run: Run, index: Path, expect: list[str]) -> tuple[str, bool]:
    """The outcome of an escape attempt: refused (every expected phrase in stderr) and the marker not indexed."""
    leaked = marker_indexed(index)
    named = all(phrase in run.stderr for phrase in expect)
    line = next((ln for ln in run.stderr.splitlines() if ln.startswith("skipped:")), run.stderr.strip()[-160:])
    line = line.replace(str(index.parent), "WORK")  # the scratch folder's name says nothing
    outcome = f"exit {run.code}; {'LEAKED: marker indexed' if leaked else 'marker not indexed'}; {line[:150]}"
    return outcome, run.code in (1, 2) and named and not leaked


def media_escape(corpus: Corpus, kind: str) -> tuple[str, Run, str, bool]:
    """`build FEED --media M` whose M/media-map.json names the secret via a symlinked folder, `..`, or absolutely."""
    media = corpus.folder(f"media-{kind}")
    (media / "etc").symlink_to(corpus.outside, target_is_directory=True)
    target = {"symlink": "etc/secret.vtt", "dotdot": "../outside/secret.vtt",
              "absolute": str(corpus.outside / "secret.vtt")}[kind]
    (media / "media-map.json").write_text(json.dumps({"guid:a1": {"transcript": target}}))
    index = corpus.index()
    run = run_cli(["build", str(corpus.feed(media)), str(media / "ok.json"), "--media", str(media),
                   "--out", str(index), "--quiet"])
    outcome, ok = _verdict(run, index, ["absolute" if kind == "absolute" else "leads outside"])
    return f"build --media, map transcript {target.replace(str(corpus.root), 'WORK')!r}", run, outcome, ok


def record_escapes(corpus: Corpus) -> tuple[str, Run, str, bool]:
    """`build DIR` over records whose transcript is absolute, `../`, and through a symlinked folder."""
    folder = corpus.folder("records")
    (folder / "link").symlink_to(corpus.outside, target_is_directory=True)
    paths = {"abs": str(corpus.outside / "secret.vtt"), "dotdot": "../outside/secret.vtt", "link": "link/secret.vtt"}
    for name, path in paths.items():
        (folder / f"{name}.json").write_text(json.dumps({"id": name, "title": name, "transcript": path}))
    index = corpus.index()
    run = run_cli(["build", str(folder), "--out", str(index), "--quiet"])
    outcome, ok = _verdict(run, index, [f"{name}.json" for name in paths])
    return "build DIR: records with transcript absolute, ../, symlinked folder", run, outcome, ok


def add_escape(corpus: Corpus) -> tuple[str, Run, str, bool]:
    """`add INDEX RECORD` (to the last built index) where the record's transcript leads out through `..`."""
    folder = corpus.folder("add")
    (folder / "evil.json").write_text(json.dumps({"id": "evil", "title": "e", "transcript": "../outside/secret.vtt"}))
    index = corpus.root / f"index-{corpus.count}"
    run = run_cli(["add", str(index), str(folder / "evil.json"), "--quiet"])
    outcome, ok = _verdict(run, index, ["leads outside"])
    return "add INDEX record with transcript ../", run, outcome, ok


class Trickle(BaseHTTPRequestHandler):
    """Answers any GET with a 100 kB WebVTT body sent 5 bytes a second; records each connection's lifetime."""

    held: list[float] = []

    def do_GET(self) -> None:
        started = time.monotonic()
        self.send_response(200)
        self.send_header("Content-Type", "text/vtt")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(300):  # 60 s at most, whoever gives up first
                self.wfile.write(b"WEBVT")
                self.wfile.flush()
                time.sleep(1.0)
        except OSError:
            pass  # the client hung up: what the deadline should make it do
        finally:
            type(self).held.append(time.monotonic() - started)

    def log_message(self, *args: object) -> None:
        pass


def fetch_attack(corpus: Corpus, private: bool) -> tuple[str, Run, str, bool]:
    """`build FEED --fetch` with the transcript at a loopback server that trickles: refused (default), or cut at
    the 10 s deadline (PODQUERY_FETCH_PRIVATE=1, so the request is made)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Trickle.held = []
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/t.vtt"
        folder = corpus.folder(f"fetch-{'private' if private else 'default'}")
        env = {"PODQUERY_FETCH_PRIVATE": "1" if private else "0"}
        run = run_cli(["build", str(corpus.feed(folder, url)), "--fetch", "--out", str(corpus.index()), "--quiet"],
                      env)
        time.sleep(1.5)  # the handler notices the hang-up at its next write
    finally:
        server.shutdown()
        server.server_close()
    note = next((ln.strip() for ln in run.stderr.splitlines() if "t.vtt" in ln), "")
    note = note.replace(str(corpus.root), "WORK")[:150]
    if not private:
        ok = not Trickle.held and "loopback" in run.stderr
        return f"build --fetch, transcript at {url}", run, f"{len(Trickle.held)} requests reached it; {note}", ok
    held = max(Trickle.held, default=0.0)
    ok = len(Trickle.held) == 1 and held <= 12.0 and "timed out" in run.stderr
    return (f"PODQUERY_FETCH_PRIVATE=1 build --fetch, {url} trickling 5 B/s", run,
            f"connection held {held:.1f} s; {note}", ok)


def cli_attacks(work: Path) -> list[tuple[str, Callable[[], tuple[str, Run, str, bool]]]]:
    """(name, attack) for every CLI attack, in order; each returns (what was sent, the run, outcome, within bound)."""
    corpus = Corpus(work / "cli")
    return [("path: media map via symlinked folder", lambda: media_escape(corpus, "symlink")),
            ("path: media map `..`", lambda: media_escape(corpus, "dotdot")),
            ("path: media map absolute", lambda: media_escape(corpus, "absolute")),
            ("path: records (abs, .., symlink)", lambda: record_escapes(corpus)),
            ("path: add with `..`", lambda: add_escape(corpus)),
            ("fetch: loopback host", lambda: fetch_attack(corpus, private=False)),
            ("fetch: trickling host, deadline", lambda: fetch_attack(corpus, private=True))]

