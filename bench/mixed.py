"""The mixed phase of bench/load.py: searches, asks and writes interleaved, open loop, for minutes.

What a busy service sees: people searching, some of them asking, and a feed updater adding and removing an episode a
few times a minute. Requests are paced as in the sustain phase (each one is due at a fixed time whatever happened to
the others, and its latency counts from then, so a stalled server cannot hide its queue).

The offered load is counted in search-equivalents, so that "80% of the highest search rate" asks the same share of
the server with asks in the mix: an ask (a search, then up to 400 sentences embedded) costs `ask_cost` searches,
measured against this server just before the phase (its throughput of searches over its throughput of asks), and
`ask_share` of the rate is spent on asks. Writes come on their own clock and are not in the budget: every
`write_every_s` a POST of a demo episode (about 50 passages, every one embedded: its previous copy was deleted) or
the DELETE of the one posted before, so 4 writes a minute by default, each swapping the index generation under the
searches.

The result says per kind how many were sent, failed, and how long they took (p50/p99/max, overall and per 30 s),
and the server's RSS after the warm-up against its RSS at the end. Zero errors is the pass mark; whether the server
kept up shows in the latencies of the last windows (a queue that grows shows as latencies that grow).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import httpx

from bench.loadkit import QUERIES, ROOT, Server, summarise

API_KEY = "bench-load-key"  # the load test's own server is started with it; loopback only
WRITE_EPISODE = ROOT / "data/practicalai/practical-ai-229.json"
EXPECTED = {"search": 200, "ask": 200, "post": 201, "delete": 200}


@dataclass(frozen=True)
class Mix:
    """What the phase sends: `rate` search-equivalents a second, `ask_share` of them as asks; writes apart."""

    rate: float
    ask_cost: float = 0.0  # searches an ask costs; 0: measure it first (calibrate)
    ask_share: float = 0.25
    write_every_s: float | None = 15.0  # None: no writes

    def per_second(self) -> tuple[float, float]:
        """(searches, asks) a second."""
        asks = self.rate * self.ask_share / self.ask_cost if self.ask_cost > 0 else 0.0
        return self.rate * (1 - self.ask_share), asks


def write_record(episode_id: str) -> dict[str, object]:
    """The demo episode WRITE_EPISODE as a `POST /episodes` body: the record with its transcript inline."""
    from indexer.index.updates import BuildReport, read_sources

    report = BuildReport()
    (source,) = read_sources([Path(WRITE_EPISODE)], report)
    ep = source.episode
    segments = source.transcript.segments if source.transcript else []
    return {"id": episode_id, "podcast": ep.podcast, "title": ep.title, "published": ep.published,
            "duration_s": ep.duration_s, "audio_url": ep.audio_url, "summary": ep.summary,
            "transcript": [{"start": s.start_s, "end": s.end_s, "speaker": s.speaker, "text": s.text}
                           for s in segments]}


def schedule(mix: Mix, seconds: float) -> list[tuple[float, str, int]]:
    """(due offset s, kind, n) of every request of the phase, in due order; a DELETE n follows its POST n."""
    searches, asks = mix.per_second()
    jobs = [(i / searches, "search", i) for i in range(int(searches * seconds))]
    if asks > 0:
        jobs += [((i + 0.5) / asks, "ask", i) for i in range(int(asks * seconds))]
    if mix.write_every_s:
        writes = (int(seconds / mix.write_every_s) - 1) // 2 * 2  # pairs: the phase ends with its episode deleted
        for w in range(writes):
            jobs.append(((w + 1) * mix.write_every_s, "delete" if w % 2 else "post", w // 2))
    return sorted(jobs)


async def _send(client: httpx.AsyncClient, kind: str, n: int, record: dict[str, object],
                posted: dict[int, asyncio.Event], key: str) -> httpx.Response:
    question = QUERIES[n % len(QUERIES)]
    if kind == "search":
        return await client.get("/search", params={"q": question, "k": 10})
    if kind == "ask":
        return await client.post("/ask", json={"question": question})
    episode_id = f"load-mixed-{n}"
    if kind == "post":
        try:
            return await client.post("/episodes", json={**record, "id": episode_id}, headers={"X-API-Key": key})
        finally:
            posted.setdefault(n, asyncio.Event()).set()
    await posted.setdefault(n, asyncio.Event()).wait()  # never before its POST has been answered
    return await client.delete(f"/episodes/{episode_id}", headers={"X-API-Key": key})


async def mixed(url: str, mix: Mix, seconds: float, key: str = API_KEY, workers: int = 32,
                record: dict[str, object] | None = None) -> dict[str, object]:
    """Run the schedule against `url` through `workers` connections; a summary per kind and the total errors.

    `record` is the episode the writes post (default: WRITE_EPISODE), under ids `load-mixed-N`."""
    loop = asyncio.get_running_loop()
    if record is None:
        record = write_record("load-mixed") if mix.write_every_s else {}
    results: dict[str, list[tuple[float, float, bool]]] = {kind: [] for kind in EXPECTED}
    failures: list[str] = []
    posted: dict[int, asyncio.Event] = {}
    queue: asyncio.Queue[tuple[float, str, int] | None] = asyncio.Queue()

    async def worker(client: httpx.AsyncClient) -> None:
        while (job := await queue.get()) is not None:
            due, kind, n = job
            try:
                response = await _send(client, kind, n, record, posted, key)
                ok = response.status_code == EXPECTED[kind]
                if not ok:
                    failures.append(f"{kind} due at {due - start:.1f} s: {response.status_code}: {response.text[:120]}")
            except httpx.HTTPError as exc:
                ok = False
                failures.append(f"{kind} due at {due - start:.1f} s, after {loop.time() - due:.1f} s: {exc!r}")
            results[kind].append((due - start, loop.time() - due, ok))

    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        start = loop.time()
        pool = [asyncio.create_task(worker(client)) for _ in range(workers)]
        for offset, kind, n in schedule(mix, seconds):
            due = start + offset
            await asyncio.sleep(max(0.0, due - loop.time()))
            queue.put_nowait((due, kind, n))
        for _ in pool:
            queue.put_nowait(None)
        await asyncio.gather(*pool)
    took = loop.time() - start
    out: dict[str, object] = {kind: summarise(rows, [f for f in failures if f.startswith(kind)], took)
                              for kind, rows in results.items()}
    out["errors"] = sum(1 for rows in results.values() for _, _, ok in rows if not ok)
    out["first_failures"] = failures[:5]
    return out


async def _closed_loop(client: httpx.AsyncClient, kind: str, seconds: float, connections: int) -> float:
    """Requests of one kind a second, `connections` at a time back to back for `seconds` (what the server can do)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    done = 0

    async def one(first: int) -> None:
        nonlocal done
        n = first
        while loop.time() < end:
            (await _send(client, kind, n, {}, {}, "")).raise_for_status()
            done += 1
            n += connections

    started = loop.time()
    await asyncio.gather(*(one(i) for i in range(connections)))
    return done / (loop.time() - started)


async def calibrate(url: str, seconds: float = 15.0, connections: int = 2) -> dict[str, float]:
    """What an ask costs in searches: the server's throughput of each alone, closed loop (as the max phase measures
    searches), one after the other. Throughput, not latency: a search's work runs partly in parallel with
    another's, while an ask holds the one embedder for its sentences, so their latencies alone understate an ask's
    share of the server (a first version paced by latencies, 1 ask = 9 searches, offered twice what it could do)."""
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        for i in range(3):  # warm caches and the model
            (await _send(client, "ask" if i == 2 else "search", i, {}, {}, "")).raise_for_status()
        searches = await _closed_loop(client, "search", seconds, connections)
        asks = await _closed_loop(client, "ask", seconds, connections)
    return {"search_rps": round(searches, 2), "ask_rps": round(asks, 2), "ask_cost": round(searches / asks, 1)}


def run_mixed(server: Server, mix: Mix, seconds: float, warmup_s: float = 60.0) -> dict[str, object]:
    """Calibrate (unless `mix.ask_cost` is given), run the phase, and compare the server's RSS after the warm-up
    (the first `warmup_s` s) with its RSS at the end: flat means within 5%."""
    calibration: dict[str, float] = {}
    if mix.ask_cost <= 0:
        calibration = asyncio.run(calibrate(server.url))
        mix = replace(mix, ask_cost=calibration["ask_cost"])
    searches, asks = mix.per_second()
    started = time.monotonic()
    result = asyncio.run(mixed(server.url, mix, seconds))
    ended = time.monotonic()
    result["mix"] = {**asdict(mix), "searches_per_s": round(searches, 2), "asks_per_s": round(asks, 2),
                     "calibration": calibration}
    result["rss"] = server.rss_between(started, ended)
    after = server.rss_between(started + warmup_s, ended)
    if after:
        first, last = float(after["first_mb"]), float(after["last_mb"])  # type: ignore[arg-type]
        change = 100 * (last - first) / first
        result["memory"] = {"warmup_s": warmup_s, "after_warmup_mb": round(first), "end_mb": round(last),
                            "max_after_warmup_mb": round(float(after["max_mb"])),  # type: ignore[arg-type]
                            "change_pct": round(change, 1), "flat": abs(change) <= 5.0}
    return result
