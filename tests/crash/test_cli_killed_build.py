"""Crash safety from the command line: a build killed with SIGKILL at any stage leaves the old index answering, and
the next successful write removes what it left behind."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time

import pytest
from cli_support import ENV, cli
from conftest import DATA, REPO


def test_killed_build_leaves_the_old_index_answering(tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    shutil.copy(DATA / "000_63d314c80ff6c941.txt", small)
    index = tmp_path / "idx"
    cli("build", str(small), "--out", str(index), "--quiet", check=True)
    manifest = (index / "manifest.json").read_text()
    for delay in (3.0, 7.0, 11.0):  # loading the model, chunking, embedding
        proc = subprocess.Popen([sys.executable, "-m", "indexer", "build", str(DATA), "--out", str(index), "--quiet"],
                                env=ENV, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is not None:
            pytest.fail(f"the build finished within {delay}s; the test needs a slower build to kill")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert (index / "manifest.json").read_text() == manifest
        proc2 = cli("search", str(index), "secure enclaves", "--mode", "keyword", "--json", check=True)
        assert json.loads(proc2.stdout)["hits"][0]["episode"]["id"] == "000_63d314c80ff6c941"
    # the next successful write removes what the killed ones left behind
    cli("build", str(small), "--out", str(index), "--quiet", check=True)
    assert len([p for p in index.iterdir() if p.name.startswith("gen-")]) == 1
