"""The corpus loader on the large real corpora: bench/'s converters turn ../shared/corpus into record + transcript
folders and every episode loads (the loader's rules are tested on small files in tests/unit/test_corpus.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, requires_corpus

from indexer.ingest.corpus import NO_RECORD, NO_TRANSCRIPT, collect_sources


def run_converter(script: str, out: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "bench" / script), "--out", str(out)], check=True,
                   capture_output=True, text=True)


@requires_corpus
@pytest.mark.corpus
@pytest.mark.parametrize("script, expected", [("convert_practicalai.py", 299), ("convert_lexicap.py", 319)])
def test_converted_real_corpora_load_whole(tmp_path: Path, script: str, expected: int) -> None:
    run_converter(script, tmp_path)
    result = collect_sources([tmp_path])
    assert result.errors == [], [str(e) for e in result.errors[:5]]
    assert result.skipped == []
    assert len(result.episodes) == expected
    for src in result.episodes:
        assert src.episode.title, src.origin
        assert src.transcript is not None and src.transcript.segments, src.origin
        assert NO_RECORD not in src.warnings and NO_TRANSCRIPT not in src.warnings
