"""Helpers for the service tests: the episodes of the small test index, and a real server in a subprocess."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from support import ENCLAVE, GARDEN, make_source

from indexer.datamodel import EpisodeSource
from indexer.index.embedding import Embedder
from indexer.index.updates import BuildReport, build_sources, read_sources
from indexer.settings import Settings

REPO = Path(__file__).resolve().parents[1]
# literal markup in data: must show as text on the page and never run
XSS_TITLE = "<script>window.__xss=1</script> Quokka special"
XSS_TEXT = 'The quokka smiles <img src=x onerror="window.__xss=1"> at every visitor on the island.'
XSS_PODCAST = "Evil <b>Pod</b>"
SLASH_ID = "https://example.com/guid/42"  # ids fall back to feed guids, often URLs
DEMO_EPISODE = "practical-ai-229"  # one episode of data/: "Automated cartography using AI", ids with slashes

BREAD = [
    (0, 45, "A sourdough starter needs flour, water and a warm kitchen to bubble.", "Ana"),
    (45, 95, "Bake the loaf in a hot cast iron pot so the crust blisters.", "Ana"),
]
RUNNING = [
    (0, 50, "Marathon training means long slow runs on the weekend and easy miles in between.", "Kip"),
    (50, 100, "Carbohydrate loading before race day keeps your legs from hitting the wall.", "Kip"),
]
JAZZ = [
    (0, 60, "The saxophone solo on that record bends every note of the blues scale.", "Mo"),
    (60, 120, "Improvisation over chord changes takes years of listening to bebop.", "Mo"),
]
VOLCANO = [
    (0, 40, "Basalt lava flows from shield volcanoes like the ones in Hawaii.", "Lee"),
    (40, 90, "Magma chambers under a caldera can stay quiet for thousands of years.", "Lee"),
]


def service_sources(audio_url: str = "https://example.com/{id}.mp3") -> list[EpisodeSource]:
    """Eight small episodes in five podcasts; `audio_url` may hold `{id}` for a per-episode file."""

    def src(episode_id: str, lines: list, *, url_id: str | None = None, **kw: object) -> EpisodeSource:
        source = make_source(episode_id, lines, audio_url=audio_url.format(id=url_id or episode_id), **kw)
        source.episode.url = f"https://example.com/episodes/{url_id or episode_id}"
        return source

    enclave = src("enclave", ENCLAVE, podcast="AI Talk", title="Private AI with Illia", duration_s=150,
                  chapters=[(0, "Intro"), (30, "Secure Enclaves"), (110, "Tokens")], published="2025-09-30")
    enclave.episode.highlights = ["Enclaves keep model weights sealed."]
    enclave.episode.topics = ["privacy", "hardware"]
    return [
        enclave,
        src("garden", GARDEN, podcast="Garden Hour", title="Roses and tomatoes", duration_s=80,
            published="2023-05-01"),
        src("bread", BREAD, podcast="Kitchen Table", title="Sourdough at home", duration_s=95,
            chapters=[(0, "Starter"), (45, "Baking")], published="2024-02-10"),
        src("running", RUNNING, podcast="Kitchen Table", title="Fuel for the marathon", duration_s=100,
            published="2024-06-01"),
        src("jazz", JAZZ, podcast="AI Talk", title="Off topic: bebop", duration_s=120, published="2024-11-20"),
        src("volcano", VOLCANO, podcast="Garden Hour", title="Rocks that were lava", duration_s=90,
            published="2022-08-15"),
        src(SLASH_ID, [(0, 30, "Lighthouse keepers logged every passing ship by hand.", "Ida")], url_id="guid42",
            podcast="AI Talk", title="The lighthouse log", duration_s=30, published="2021-01-01"),
        src("xss", [(0, 30, XSS_TEXT, "Zed")], podcast=XSS_PODCAST, title=XSS_TITLE, duration_s=30,
            published="2020-03-03"),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """`python -m service` running in a subprocess; its output goes to `log` (a pipe could fill and block it)."""

    url: str
    proc: subprocess.Popen
    log: Path
    index: Path
    audio_url: str = ""  # the audio_url template the index was built with
    demo: list[EpisodeSource] = field(default_factory=list)  # demo-corpus episodes in the index, if any

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=5)


def start_server(index: Path, log: Path, *, timeout_s: float = 90.0, rate_limit: str = "off",
                 extra_env: dict[str, str] | None = None) -> LiveServer:
    """Start the service on a free port and wait until /health answers 200 (the model is loaded).

    Rate limits are off unless asked for: these tests send searches as fast as they can from one address.
    `extra_env` adds `PODQUERY_*` settings (an API key, a write limit, trusted proxies) for this server only.
    """
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PODQUERY_RATE_LIMIT": rate_limit}
    env.update(extra_env or {})
    env.pop("PODQUERY_INDEX", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service", "--index", str(index), "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", proc, log, index)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the server did not become healthy in {timeout_s}s:\n{server.output()}")


def silent_wav(path: Path, seconds: int) -> None:
    """8 kHz, 8-bit mono silence: about 8 KB a second."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(b"\x80" * 8000 * seconds)


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """An ASGI app served by uvicorn in a thread of this process on a free port of 127.0.0.1; yields its URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@contextmanager
def audio_host(folder: Path) -> Iterator[str]:
    """A local static server (a thread) for the episodes' audio: a 200 s silent WAV at /episode.wav.

    Starlette's FileResponse answers range requests, so the browser can seek as it would on a podcast host.
    """
    from starlette.staticfiles import StaticFiles

    folder.mkdir(parents=True, exist_ok=True)
    silent_wav(folder / "episode.wav", 200)
    with serve_in_thread(StaticFiles(directory=folder)) as url:
        yield url


def demo_sources(folder: Path) -> list[EpisodeSource]:
    """DEMO_EPISODE read through indexer.corpus; empty when that loader cannot read it (it is being written)."""
    files = sorted((REPO / "data" / "practicalai").glob(f"{DEMO_EPISODE}.*"))
    if not files:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copy(file, folder)
    report = BuildReport()
    try:
        sources = read_sources([folder], report)
    except Exception:  # noqa: BLE001 - any failure of a loader in progress only skips the demo test
        return []
    return [] if report.skipped else sources


@contextmanager
def live_service(folder: Path, embedder: Embedder) -> Iterator[LiveServer]:
    """The whole stack for e2e and browser tests: local audio, an index built with `embedder`, the server."""
    with audio_host(folder / "audio") as audio:
        template = f"{audio}/episode.wav?ep={{id}}"  # one silent file, but its own URL per episode
        demo = demo_sources(folder / "demo")
        build_sources(service_sources(template) + demo, folder / "index", Settings(), embedder)
        server = start_server(folder / "index", folder / "server.log")
        server.audio_url, server.demo = template, demo
        try:
            yield server
        finally:
            server.stop()
