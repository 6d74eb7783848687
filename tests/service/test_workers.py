"""More than one worker: `python -m service --workers N` (PODQUERY_WORKERS) runs N uvicorn worker processes on one
port over one index; each loads its own app, and every one of them follows the index to new generations."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
from service_support import start_server

RECORD = {
    "id": "worker-narwhals", "podcast": "Posted Pod", "title": "Narwhals of the Arctic", "duration_s": 60,
    "transcript": [{"start": 0, "end": 60, "speaker": "Ann",
                    "text": "Narwhal tusks are long spiral teeth full of nerves that sense the water."}],
}


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (uvicorn's workers are spawned children of the main process)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) / 1024


def test_two_workers_serve_one_index_and_all_follow_a_write(service_index, tmp_path):
    shutil.copytree(service_index, tmp_path / "index")
    server = start_server(tmp_path / "index", tmp_path / "server.log",
                          extra_env={"PODQUERY_WORKERS": "2", "PODQUERY_API_KEY": "k",
                                     "PODQUERY_WRITE_RATE_LIMIT": "off"})
    try:
        workers = [p for p in _children(server.proc.pid) if _rss_mb(p) > 100]  # the model is loaded in each
        assert len(workers) == 2, server.output()
        assert "with 2 workers" in server.output()
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.post("/episodes", json=RECORD, headers={"X-API-Key": "k"}).status_code == 201
        # a worker checks the manifest at most every 0.5 s (PODQUERY reload interval): past that, a fresh
        # connection each time (the kernel hands them to either worker) finds the episode every time
        time.sleep(1.0)
        found = []
        for _ in range(20):
            hits = httpx.get(f"{server.url}/search", params={"q": "narwhal tusks"}, timeout=30).json()["hits"]
            found.append(any(h["episode"]["id"] == "worker-narwhals" for h in hits))
        assert found == [True] * 20, found
    finally:
        server.stop()
