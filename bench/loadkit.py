"""What the load and attack benchmarks share: the service under measurement, the demo queries, latency summaries.

The service is `python -m service` on a free loopback port with its memory read from /proc: bench/load.py samples
RSS and generation every 2 s over minutes, bench/attack.py reads the peak RSS of one attack (the kernel's
high-water mark, reset before it through /proc/PID/clear_refs).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [q["question"] if isinstance(q, dict) else q
           for qs in json.loads((ROOT / "tests/fixtures/demo_questions.json").read_text()).values() for q in qs]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def proc_status_mb(pid: int, field: str) -> float:
    """A memory line of /proc/PID/status (`VmRSS`, `VmHWM`) in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith(field))) / 1024


class Server:
    """`python -m service` over `index` on a free loopback port; `env` adds `PODQUERY_*` settings (by default only
    the rate limit, raised so that a load test measures the limiter but is never refused by it)."""

    def __init__(self, index: Path, log: Path, env: dict[str, str] | None = None, sample_every: float = 2.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full = {**os.environ, "PODQUERY_RATE_LIMIT": "1000000/minute", "PYTHONUNBUFFERED": "1", **(env or {})}
        full.pop("PODQUERY_INDEX", None)
        with log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "service", "--index", str(index), "--port",
                                          str(self.port), "--log-level", "warning"], cwd=ROOT, env=full,
                                         stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not self._healthy():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"the service did not start; see {log}")
            time.sleep(0.2)
        self.samples: list[tuple[float, float, str, float]] = []  # (time, RSS MB, generation, 1-min loadavg)
        self._stop = threading.Event()
        threading.Thread(target=self._sample, args=(sample_every,), daemon=True).start()

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def rss_mb(self) -> float:
        return proc_status_mb(self.proc.pid, "VmRSS")

    def reset_peak(self) -> float:
        """Reset the kernel's peak-RSS mark to the current RSS (Linux 4.0+) and return that RSS in MB."""
        Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")
        return self.rss_mb()

    def peak_mb(self) -> float:
        """The highest RSS since the last `reset_peak` (or since the start), in MB."""
        return proc_status_mb(self.proc.pid, "VmHWM")

    def _sample(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                rss = self.rss_mb()
            except (OSError, StopIteration):  # the process has gone
                return
            try:
                generation = httpx.get(f"{self.url}/health", timeout=5).json().get("generation") or ""
            except httpx.HTTPError:
                generation = "?"
            self.samples.append((time.monotonic(), rss, generation, os.getloadavg()[0]))

    def rss_between(self, start: float, end: float) -> dict[str, object]:
        """RSS (MB) at the start and end of a phase, its range, and its slope over the phase's second half."""
        points = [(t, mb) for t, mb, _, _ in self.samples if start <= t <= end]
        if len(points) < 4:
            return {}
        half = points[len(points) // 2:]
        slope = statistics.linear_regression([t for t, _ in half], [mb for _, mb in half]).slope * 60
        load = [a for t, _, _, a in self.samples if start <= t <= end]
        return {"first_mb": points[0][1], "last_mb": points[-1][1], "min_mb": min(mb for _, mb in points),
                "max_mb": max(mb for _, mb in points), "slope_mb_per_min_2nd_half": round(slope, 2),
                "samples": len(points), "loadavg_max": max(load),  # above ~2.5 on 2 cores: something else ran
                "every_20s": [[round(t - start), round(mb)] for t, mb in points[::10]]}

    def stop(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def summarise(results: list[tuple[float, float, bool]], failures: list[str], took: float) -> dict[str, object]:
    """Counts, achieved rate, p50/p99 overall and per 30 s window (does latency drift?), the first failures.

    `results` holds (due offset s, latency s, ok) per request."""
    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0

    ok = [lat for _, lat, good in results if good]
    windows = []
    for w in range(0, int(max((d for d, _, _ in results), default=0)) + 1, 30):
        lat = [x for d, x, good in results if w <= d < w + 30 and good]
        windows.append({"from_s": w, "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99)})
    return {"requests": len(results), "errors": len(results) - len(ok), "achieved_rps": round(len(results) / took, 1),
            "p50_ms": pct(ok, 0.5), "p99_ms": pct(ok, 0.99), "max_ms": pct(ok, 1.0), "windows": windows,
            "first_failures": failures[:5]}
