"""Transcript formats and chapters on the real files in ../shared/corpus: the Podcasting 2.0 spec's examples, the
convert fixtures of every dialect, all 319 Lexicap whisper VTTs, every Practical AI Markdown transcript, other
Changelog shows and real HTML transcripts. The parsers' rules are tested on small fixtures in
tests/unit/test_sources_*.py and tests/unit/test_chapters.py; these check that they hold on whole corpora."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED_CORPUS, requires_corpus
from parser_support import assert_timeline, read

from indexer.ingest.formats.markdown import parse_markdown
from indexer.ingest.formats.vtt import parse_vtt
from indexer.ingest.registry import parse_transcript
from indexer.timecode import parse_timestamp

CHAPTERS = FIXTURES / "chapters"
SPEC_EXAMPLES = SHARED_CORPUS / "formats" / "podcast-namespace-spec" / "docs" / "examples" / "chapters"
SPEC = SHARED_CORPUS / "formats" / "podcast-namespace-spec" / "docs" / "examples" / "transcripts"
CONVERT = SHARED_CORPUS / "formats" / "transcripts" / "podcast-transcript-convert-fixtures"
CHANGELOG = SHARED_CORPUS / "changelog"
LEXICAP = SHARED_CORPUS / "lexicap" / "vtt"


@requires_corpus
@pytest.mark.parametrize("name", ["example.json", "exampleComplex.json"])
def test_fixture_copies_match_the_spec(name: str) -> None:
    assert (CHAPTERS / name).read_bytes() == (SPEC_EXAMPLES / name).read_bytes()


@requires_corpus
def test_spec_example_file() -> None:
    t = parse_transcript((SPEC / "example.json").read_text(encoding="utf-8"), "example.json")
    assert [s.text for s in t.segments] == ["I am your father.", "Nooooo"] and t.warnings == []


@requires_corpus
def test_every_real_srt_dialect() -> None:
    expected = {  # file: (cues, speakers)
        "AI Autocomplete for QGIS.srt": (583, {None}),
        "Bloat.srt": (724, {"Michael", "Chelsea"}),
        "Episode 17.srt": (678, {None}),
        "I Quit My Job.srt": (298, {None}),
        "Yak Shaving with Tim Mitra.srt": (1055, {"Leo Dion", "Tim Mitra"}),
    }
    for name, (count, speakers) in expected.items():
        t = parse_transcript(read(CONVERT / name), name)
        assert len(t.segments) == count, name
        assert {s.speaker for s in t.segments} == speakers, name
        assert all(s.text and 0 <= s.start_s <= s.end_s for s in t.segments), name
    spec = parse_transcript(read(SPEC / "example.srt"), "example.srt")
    assert len(spec.segments) == 222
    assert [s.speaker for s in spec.segments].count("Gilon") == 55
    assert spec.segments[-1].text == "best thing to do is to batch your episodes." and spec.warnings == []


@requires_corpus
def test_spec_and_convert_fixture_files() -> None:
    spec = parse_transcript(read(SPEC / "example.vtt"), "example.vtt")
    assert len(spec.segments) == 7 and spec.warnings == []
    descript = parse_transcript(read(CONVERT / "Managed services vs. DIY.vtt"), "Managed services vs. DIY.vtt")
    assert len(descript.segments) == 576 and {s.speaker for s in descript.segments} == {"Michael", "Nikolay"}
    fud = next(s for s in descript.segments if "FUD" in s.text)
    assert fud.text == "What's it FUD: fear uncertainty." and fud.speaker == "Michael"  # not a speaker label
    assert descript.segments[-1].text == "Bye." and descript.segments[-1].speaker == "Nikolay"


@requires_corpus
def test_all_lexicap_whisper_files() -> None:
    files = sorted(LEXICAP.glob("*.vtt"))
    assert len(files) == 319
    cues = 0
    for path in files:
        t = parse_transcript(read(path), path.name)
        assert t.segments, path
        cues += len(t.segments)
        reversed_reported = any("ending before they start" in w for w in t.warnings)
        for s in t.segments:
            assert s.text and s.speaker is None and s.start_s >= 0, (path, s)
            assert s.end_s is not None and (s.start_s <= s.end_s or reversed_reported), (path, s)
    assert cues > 700_000
    ep1 = parse_vtt(read(LEXICAP / "episode_001_large.vtt")).segments[0]
    assert (ep1.start_s, ep1.end_s) == (0.0, 4.2)
    assert ep1.text == "As part of MIT course 6S099, Artificial General Intelligence,"


@requires_corpus
def test_all_practical_ai_transcripts() -> None:
    durations = {Path(r["transcript_file"]).name: r["duration_seconds"]
                 for r in map(json.loads, (CHANGELOG / "practicalai_episodes.jsonl").open(encoding="utf-8"))
                 if r.get("transcript_file")}
    files = sorted((CHANGELOG / "practicalai").glob("*.md"))
    assert len(files) == 299
    exact = 0
    for path in files:
        t = parse_markdown(read(path), durations.get(path.name))
        assert t.segments, path
        assert_timeline(t.segments)
        assert all(s.speaker for s in t.segments[1:]), path
        exact += sum(not s.time_estimated for s in t.segments)
    assert exact > 2500  # ~10 marks per episode (a few fall on break paragraphs, which pin time but hold no text)


@requires_corpus
def test_other_changelog_shows_and_news_without_marks() -> None:
    show = parse_markdown(read(CHANGELOG / "podcast" / "the-changelog-448.md"))
    assert len(show.warnings) == 2 and sum(not s.time_estimated for s in show.segments) > 15
    assert_timeline(show.segments)
    news = parse_transcript(read(CHANGELOG / "news" / "changelog-news-10.md"), "changelog-news-10.md")
    assert all(s.time_estimated for s in news.segments) and news.segments[0].speaker == "Jerod Santo"
    js = sorted((CHANGELOG / "jsparty").glob("*.md"))[:20]
    for path in js:
        assert_timeline(parse_markdown(read(path)).segments)


@requires_corpus
def test_real_html_transcripts() -> None:
    gotime = parse_transcript(read(CONVERT / "300 multiple choices.html"), "300.html")
    assert len(gotime.segments) == 307 and gotime.segments[0].speaker == "Kris Brandow"
    assert parse_timestamp("00:06:13.02") in [s.start_s for s in gotime.segments if not s.time_estimated]
    spec = parse_transcript(read(SPEC / "example.html"), "example.html")
    assert [s.speaker for s in spec.segments] == ["Travis", "Sarah", "Travis", "Gilon", "Travis", "Gilon",
                                                  "Travis", "Sarah", "Gilon", "Travis"]
    assert spec.segments[-1].start_s == 691.0
    assert len(parse_transcript(read(CONVERT / "Talking AI at OpenShift Commons Gathering in Raleigh.html"),
                                "t.html").segments) == 131
