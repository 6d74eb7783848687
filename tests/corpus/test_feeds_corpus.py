"""Feeds on the large real corpora in ../shared/corpus: all of podcastparser's golden feeds, the Changelog feeds
against their joined metadata, and a real feed with its media folder (the fixture versions are in
tests/unit/test_feeds.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from conftest import REPO, SHARED_CORPUS, requires_corpus
from parser_support import golden_mismatches

from indexer.datamodel import EpisodeSource
from indexer.ingest.feeds import load_feed
from indexer.ingest.formats.rss import parse_feed
from indexer.timecode import parse_timestamp

PODCASTPARSER = SHARED_CORPUS / "formats" / "podcastparser-tests" / "tests" / "data"
CHANGELOG = SHARED_CORPUS / "changelog"


@requires_corpus
def test_golden_all_podcastparser_feeds() -> None:
    files = sorted(PODCASTPARSER.glob("*.rss"))
    results = [golden_mismatches(f) for f in files]
    assert len(files) == 70
    assert [b for _, bad in results for b in bad] == []
    assert sum(c for c, _ in results) > 350


REAL_FEEDS = {"brain-science": ("brainscience", 34), "changelog-friends": ("friends", 128),
              "changelog-news": ("news", 179), "founders-talk": ("founderstalk", 105), "js-party": ("jsparty", 361),
              "practical-ai": ("practicalai", 347), "rfc": ("rfc", 21), "ship-it": ("shipit", 136)}


@requires_corpus
@pytest.mark.parametrize("name", sorted(REAL_FEEDS))
def test_real_feed_parses_and_agrees_with_the_joined_metadata(name: str) -> None:
    show, count = REAL_FEEDS[name]
    feed = parse_feed((CHANGELOG / "feeds" / f"{name}.xml").read_bytes(), f"{name}.xml")
    assert len(feed.items) == count and feed.warnings == []
    assert all(i.episode.title and i.guid and i.episode.duration_s and i.episode.people and i.episode.published
               and i.episode.audio_url for i in feed.items)
    # The jsonl was derived from the same feed by another tool: an independent check of every item.
    rows = [json.loads(line) for line in (CHANGELOG / f"{show}_episodes.jsonl").read_text().splitlines()]
    ours = {i.episode.id: i for i in feed.items}
    assert len(rows) == count
    for row in rows:
        item = ours[row["guid"]]
        assert item.episode.title == " ".join(row["title"].split())
        assert item.episode.duration_s == parse_timestamp(row["duration_seconds"])
        assert sorted(item.episode.people) == sorted(p["name"].strip() for p in row["people"])
        assert sorted(r.url for r in item.transcripts) == sorted(row["transcript_urls"])
        assert (item.chapters_url, item.episode.audio_url, item.episode.url) == (row["chapters_url"], row["audio_url"],
                                                                               row["link"])
        assert datetime.fromisoformat(item.episode.published) == parsedate_to_datetime(row["pub_date"])
    assert sum(bool(i.transcripts) for i in feed.items) == sum(bool(r["transcript_urls"]) for r in rows) > 0


@requires_corpus
def test_practical_ai_feed_with_media_dir_gives_299_timed_transcripts(tmp_path: Path) -> None:
    media = tmp_path / "media"
    script = REPO / "bench" / "make_media_dir.py"
    run = subprocess.run([sys.executable, str(script), "practicalai", "--out", str(media)],
                         capture_output=True, text=True, check=True)
    assert "299 transcripts" in run.stderr
    sources = load_feed(CHANGELOG / "feeds" / "practical-ai.xml", media)
    assert len(sources) == 347 and all(isinstance(s, EpisodeSource) for s in sources)
    with_transcripts = [s for s in sources if s.transcript is not None]
    assert len(with_transcripts) == 299
    for source in with_transcripts:
        segments = source.transcript.segments
        assert segments and all(s.start_s is not None and s.start_s >= 0 for s in segments)
        assert [s.start_s for s in segments] == sorted(s.start_s for s in segments)
    # Nearly all carry the transcripts' own inline timestamps, not just estimates.
    assert sum(any(not s.time_estimated for s in x.transcript.segments) for x in with_transcripts) >= 280
    missing = [s for s in sources if s.transcript is None]
    assert all(any(w.startswith(("no transcript", "transcript not found")) for w in s.warnings) for s in missing)
