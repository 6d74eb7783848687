"""SIGKILL `build`, `add` and `remove` at random moments: the index always opens, answers, and holds exactly the
state before or after the change; the next successful write leaves no stray generation behind."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DATA, REPO

from indexer.index.reader import Index
from indexer.search.searcher import Searcher
from indexer.settings import Settings

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}
SEED = int(os.environ.get("PODQUERY_CRASH_SEED", "749"))
RUNS = {"build": 7, "add": 7, "remove": 6}  # 20 kills in all
EXTRA = ["practical-ai-250", "practical-ai-242"]


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "indexer", *args, *(["--quiet"] if args[0] in ("build", "add")
                                                                     else [])],
                            env=ENV, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _run(*args: str) -> float:
    started = time.monotonic()
    proc = _cli(*args)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    return time.monotonic() - started


def _state(path: Path) -> tuple[frozenset[str], int]:
    """Episode ids and passage count; also proves the index opens and answers a search."""
    index = Index.open(path)
    try:
        Searcher(index, None, Settings()).search("data", k=3, mode="keyword")
        ids = frozenset(r[0] for r in index.conn.execute("SELECT id FROM episodes"))
        return ids, index.counts()["passages"]
    finally:
        index.close()


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    small, more = base / "small", base / "more"
    small.mkdir()
    more.mkdir()
    shutil.copy(DATA / "000_63d314c80ff6c941.txt", small)
    for stem in EXTRA:
        for suffix in (".json", ".md"):
            shutil.copy(DATA / "practicalai" / f"{stem}{suffix}", more)
    return base, small, more


@pytest.mark.parametrize("command", ["build", "add", "remove"])
def test_kill_at_random_moments(corpora, tmp_path, command):
    base, small, more = corpora
    rng = random.Random(f"{SEED}-{command}")
    index = tmp_path / "idx"
    # the "before" and "after" states, and how long an uninterrupted change takes
    if command == "build":
        _run("build", str(small), "--out", str(index))
        before = _state(index)
        duration = _run("build", str(small), str(more), "--out", str(index))
        after = _state(index)
        change = ("build", str(small), str(more), "--out", str(index))
        reset = ("build", str(small), "--out", str(index))
    elif command == "add":
        _run("build", str(small), "--out", str(index))
        before = _state(index)
        duration = _run("add", str(index), str(more))
        after = _state(index)
        change = ("add", str(index), str(more))
        reset = ("build", str(small), "--out", str(index))
    else:
        _run("build", str(small), str(more), "--out", str(index))
        before = _state(index)
        victims = sorted(before[0] - {"000_63d314c80ff6c941"})
        duration = _run("remove", str(index), *victims)
        after = _state(index)
        change = ("remove", str(index), *victims)
        reset = ("build", str(small), str(more), "--out", str(index))
    assert before != after
    _run(*reset)
    outcomes = []
    for run in range(RUNS[command]):
        delay = rng.uniform(0.2, duration * 1.05)
        proc = _cli(*change)
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = _state(index)
        assert state in (before, after), f"run {run}: killed after {delay:.2f}s: neither state (seed {SEED})"
        outcomes.append("after" if state == after else "before")
        if state == after:
            _run(*reset)
    assert "before" in outcomes  # at least some kills landed mid-change
    # the next successful write removes what killed writers left behind
    _run(*change)
    assert _state(index) == after
    leftovers = [p.name for p in index.iterdir() if p.name.startswith("gen-") or p.name.endswith(".tmp")]
    assert len(leftovers) == 1, leftovers
