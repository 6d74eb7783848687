"""A 10-second version of bench/load.py's paced phase against the shared live server: no search may fail.

The 5-minute runs, the search for the highest sustainable rate and the index swap under load live in bench/load.py
(results in bench/README.md, "Load"); this only keeps the generator and the server's behaviour under a steady
open-loop stream honest in CI.
"""

from __future__ import annotations

import asyncio

from bench.load import paced


def test_ten_seconds_of_paced_searches_fail_nothing(live_server):
    result = asyncio.run(paced(live_server.url, rate=10, seconds=10))
    assert result["requests"] == 100 and result["errors"] == 0, result["first_failures"]
    assert 0 < result["p50_ms"] <= result["p99_ms"] < 5000
