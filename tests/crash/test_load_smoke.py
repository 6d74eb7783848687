"""Short versions of bench/load.py's paced and mixed phases against real servers: no request may fail.

The 5-minute runs, the search for the highest sustainable rate and the index swap under load live in bench/load.py
(results in bench/README.md, "Load"); these only keep the generators and the server's behaviour under a steady
open-loop stream honest in CI.
"""

from __future__ import annotations

import asyncio
import shutil

from service_support import start_server

from bench.load import paced
from bench.mixed import Mix, mixed

KEY = "smoke-key"
RECORD = {"id": "smoke", "title": "Smoke episode", "podcast": "Smoke",
          "transcript": [{"start": 0, "end": 10, "speaker": "Ann", "text": "Secure enclaves keep data private."},
                         {"start": 10, "end": 20, "speaker": "Bob", "text": "Tomatoes want sun and water."}]}


def test_ten_seconds_of_paced_searches_fail_nothing(live_server):
    result = asyncio.run(paced(live_server.url, rate=10, seconds=10))
    assert result["requests"] == 100 and result["errors"] == 0, result["first_failures"]
    assert 0 < result["p50_ms"] <= result["p99_ms"] < 5000


def test_searches_asks_and_writes_interleaved_fail_nothing(service_index, tmp_path):
    """Six seconds of the mixed phase on a server with an API key: a POST 1.5 s in, its DELETE 1.5 s later, asks
    and searches around them (each write swaps the index generation under the reads)."""
    shutil.copytree(service_index, tmp_path / "index")
    server = start_server(tmp_path / "index", tmp_path / "server.log", extra_env={"PODQUERY_API_KEY": KEY})
    try:
        mix = Mix(rate=8, ask_cost=6, ask_share=0.25, write_every_s=1.5)  # 6 searches and 1/3 ask a second
        result = asyncio.run(mixed(server.url, mix, seconds=6, key=KEY, record=RECORD))
    finally:
        server.stop()
    assert result["errors"] == 0, result["first_failures"]
    counts = {kind: result[kind]["requests"] for kind in ("search", "ask", "post", "delete")}
    assert counts == {"search": 36, "ask": 2, "post": 1, "delete": 1}
    assert 0 < result["search"]["p50_ms"] <= result["search"]["p99_ms"] < 5000
