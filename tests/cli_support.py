"""Running `python -m indexer` as a user does, for the CLI tests of every tier: a real process, offline, from the
repository root, with a timeout so a hung command fails the test instead of the run."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from conftest import REPO

# offline: the tests never reach a model hub; PYTHONPATH: `indexer` from this checkout, not an installed copy
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}


def cli(*args: str, check: bool = False, **kw: Any) -> subprocess.CompletedProcess[str]:
    """`python -m indexer *args`, its output captured as text; with `check`, a non-zero exit fails with its stderr."""
    proc = subprocess.run([sys.executable, "-m", "indexer", *args], capture_output=True, text=True, env=ENV,
                          cwd=REPO, timeout=600, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(proc.stderr)
    return proc
