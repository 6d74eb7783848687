"""The command line on the real corpora in ../shared/corpus: a real feed with its local transcripts gives
timestamped passages."""

from __future__ import annotations

import json
import subprocess
import sys

from cli_support import ENV, cli
from conftest import REPO, SHARED_CORPUS, requires_corpus


@requires_corpus
def test_practical_ai_feed_with_local_transcripts_gives_timestamped_passages(tmp_path):
    media = tmp_path / "media"
    subprocess.run([sys.executable, str(REPO / "bench" / "make_media_dir.py"), "practicalai", "--out", str(media),
                    "--link"], check=True, capture_output=True, env=ENV)
    proc = cli("inspect", str(SHARED_CORPUS / "changelog" / "feeds" / "practical-ai.xml"), "--media", str(media),
               "--json")
    assert proc.returncode in (0, 2), proc.stderr
    out = json.loads(proc.stdout)
    assert len(out["episodes"]) == 347
    spoken = [p for p in out["passages"] if p["kind"] == "transcript"]
    assert len({p["episode_id"] for p in spoken}) == 299
    assert all(p["start_s"] is not None and p["start_s"] <= p["end_s"] for p in spoken)
    exact = [p for p in spoken if not p["time_estimated"]]
    assert exact  # passages that start on a real [mm:ss] mark
