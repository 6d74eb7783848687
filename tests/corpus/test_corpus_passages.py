"""Every passage of the real corpora (299 Practical AI, 319 Lexicap episodes) is well formed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, REPO, requires_corpus

from indexer.datamodel import EpisodeSource
from indexer.index.updates import BuildReport, read_sources
from indexer.passages.chunking import episode_passages
from indexer.passages.tokens import TokenCounter
from indexer.settings import ChunkSettings

SETTINGS = ChunkSettings()
COUNT = TokenCounter(SETTINGS.encoding)
MAX_WORDPIECES = 256  # all-MiniLM-L6-v2 cuts input past this silently


def _convert(script: str, out: Path) -> list[EpisodeSource]:
    subprocess.run([sys.executable, str(REPO / "bench" / script), "--out", str(out)], check=True,
                   capture_output=True)
    report = BuildReport()
    sources = read_sources([out], report)
    assert not report.skipped, report.skipped[:3]
    return sources


def _check_passages(sources: list[EpisodeSource], real_embedder) -> int:
    checked = 0
    for src in sources:
        ep = src.episode
        passages = episode_passages(ep, src.transcript, SETTINGS, COUNT)
        assert any(p.kind == "transcript" for p in passages), ep.id
        for p in passages:
            where = f"{ep.id} {p.kind} @ {p.start_s}"
            assert p.text.strip(), where
            assert p.episode_id == ep.id
            if p.kind == "transcript":
                assert 0 <= p.start_s <= p.end_s, where
                if ep.duration_s is not None:
                    assert p.end_s <= ep.duration_s + 1.0, where
                assert COUNT(p.text) <= SETTINGS.max_tokens, where
                for offset, seconds in p.segment_starts:
                    assert p.start_s <= seconds <= p.end_s, where
                if p.chapter_index is not None:
                    chapter = ep.chapters[p.chapter_index]
                    assert chapter.start_s <= p.start_s, where
                    assert chapter.end_s is None or p.start_s < chapter.end_s, where
            checked += 1
        # the model must see every spoken word: check the longest passages of each episode
        longest = sorted((p for p in passages if p.kind == "transcript"), key=lambda p: -len(p.text))[:3]
        for p in longest:
            assert real_embedder.count_wordpieces(p.text) <= MAX_WORDPIECES, f"{ep.id} @ {p.start_s}"
    return checked


@requires_corpus
@pytest.mark.corpus
def test_every_practical_ai_passage(tmp_path, real_embedder):
    sources = _convert("convert_practicalai.py", tmp_path / "pa")
    assert len(sources) == 299
    assert _check_passages(sources, real_embedder) > 15_000
    estimated = sum(1 for s in sources for seg in s.transcript.segments if seg.time_estimated)
    assert estimated > 0  # sparse [mm:ss] marks: times between them are interpolated and flagged


@requires_corpus
@pytest.mark.corpus
def test_every_lexicap_passage(tmp_path, real_embedder):
    sources = _convert("convert_lexicap.py", tmp_path / "lex")
    assert len(sources) == 319
    assert _check_passages(sources, real_embedder) > 20_000


def test_demo_passages(real_embedder):
    report = BuildReport()
    sources = read_sources([DATA], report)
    assert len(sources) == 21 and not report.skipped
    assert _check_passages([s for s in sources if s.transcript], real_embedder) > 500
