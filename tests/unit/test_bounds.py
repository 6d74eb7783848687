"""Issue 14, defects 1 and 7: times are capped at 48 hours and ids at 256 printable characters where they are read.

A finite but huge time (`"end": 1e306`) once overflowed to inf later and made every search reaching it fail; a
300,000-character id made an episode impossible to remove. Both are now InputErrors naming the field, cue or line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from indexer.datamodel import MAX_ID_CHARS, check_id
from indexer.errors import InputError
from indexer.ingest.corpus import collect_sources
from indexer.ingest.formats.chapters import parse_chapter_list, parse_chapters_json
from indexer.ingest.formats.json_transcript import parse_json_transcript
from indexer.ingest.formats.markdown import parse_markdown
from indexer.ingest.formats.record_json import parse_record_json, parse_records_text
from indexer.ingest.formats.record_text import read_record_text
from indexer.ingest.formats.rss import parse_feed
from indexer.ingest.formats.srt import parse_srt
from indexer.ingest.formats.vtt import parse_vtt
from indexer.passages.timing import to_seconds
from indexer.timecode import MAX_SECONDS, parse_timestamp

HUGE = 1e306
LONG_ID = "x" * 300_000
RSS_NS = 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'


def record(**fields: Any) -> dict[str, Any]:
    return {"id": "ep", "title": "T", **fields}


def error(call: Any, *args: Any) -> InputError:
    with pytest.raises(InputError) as info:
        call(*args)
    return info.value


# --- defect 1: times ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [HUGE, pytest.param(10**300, id="10**300"), MAX_SECONDS + 0.001, "48:00:01",
                                   "999:00:00.000", "172801"])
def test_times_past_48_hours_are_refused(value: Any) -> None:
    with pytest.raises(ValueError, match="48 hours"):
        parse_timestamp(value)
    with pytest.raises(ValueError, match="48 hours"):
        to_seconds(value)


@pytest.mark.parametrize("value", [MAX_SECONDS, "48:00:00", "47:59:59.999", 0])
def test_times_up_to_48_hours_are_read(value: Any) -> None:
    assert 0 <= to_seconds(value) <= MAX_SECONDS


@pytest.mark.parametrize(("obj", "where"), [
    (record(transcript=[{"start": 0, "end": HUGE, "text": "hi"}]), "body: field transcript[0].end"),
    (record(transcript=[{"start": HUGE, "text": "hi"}]), "body: field transcript[0].start"),
    (record(duration_s=HUGE), "body: field duration_s"),
    (record(duration_s="999:00:00"), "body: field duration_s"),
    (record(chapters=[{"start": HUGE, "title": "C"}]), "body: field chapters[0].start"),
])
def test_record_json_times_are_bounded(obj: dict[str, Any], where: str) -> None:
    err = error(parse_record_json, obj, "body")
    assert err.where == where and "48 hours" in err.problem


def test_json_transcript_and_chapters_times_are_bounded() -> None:
    err = error(parse_json_transcript, json.dumps({"segments": [{"start": 0, "end": HUGE, "text": "x"}]}))
    assert err.where == "segments[0].end" and "48 hours" in err.problem
    err = error(parse_chapters_json, json.dumps({"chapters": [{"startTime": HUGE, "title": "x"}]}))
    assert err.where == "chapters[0].startTime" and "48 hours" in err.problem
    err = error(parse_chapters_json, json.dumps({"chapters": [{"startTime": 0, "endTime": HUGE}]}))
    assert err.where == "chapters[0].endTime"


@pytest.mark.parametrize("timing", ["100:00:00.000 --> 100:00:01.000", "00:00.000 --> 999:59:59.999",
                                    "00:00.000 --> 48:00:00.001"])
def test_cue_times_are_bounded_on_the_fast_path_too(timing: str) -> None:
    err = error(parse_vtt, f"WEBVTT\n\n{timing}\nhi\n")
    assert err.where == "line 3" and "48 hours" in err.problem
    err = error(parse_srt, f"1\n{timing.replace('.', ',')}\nhi\n")
    assert err.where == "line 2" and "48 hours" in err.problem
    assert parse_vtt("WEBVTT\n\n47:59:59.000 --> 48:00:00.000\nhi\n").segments[0].end_s == MAX_SECONDS


def test_record_text_duration_and_chapter_times_are_bounded() -> None:
    err = error(read_record_text, "Episode\nT\nDuration seconds\n1e306\n")
    assert err.where == "line 4: Duration seconds"
    err = error(read_record_text, "Episode\nT\nDuration seconds\n200000\n")
    assert err.where == "line 4: Duration seconds" and "48 hours" in err.problem
    err = error(read_record_text, "Episode\nT\nChapters\n1. 999:00:00 Late: never\n")
    assert err.where == "line 4: Chapters" and "48 hours" in err.problem


def test_marks_feed_durations_and_show_note_times_past_the_limit_are_left_out() -> None:
    transcript = parse_markdown("[100:00:00] **Ann:** hello there\n\n[00:10] **Bo:** hi\n")
    assert all(s.start_s <= MAX_SECONDS for s in transcript.segments)
    assert any("bad time mark" in w for w in transcript.warnings)
    assert [c.title for c in parse_chapter_list("0:00 Intro\n1:00 Next\n99:00:00 Far\n")] == ["Intro", "Next"]
    feed = parse_feed(f"<rss {RSS_NS}><channel><title>S</title><item><guid>g</guid><title>A</title>"
                      "<itunes:duration>200000</itunes:duration></item></channel></rss>".encode(), "feed.xml")
    [item] = feed.items
    assert item.episode.duration_s is None and "itunes:duration" in item.warnings[0]


# --- defect 7: ids -----------------------------------------------------------------------------------------------

def test_check_id_caps_length_and_refuses_control_characters() -> None:
    assert check_id("a" * MAX_ID_CHARS) == "a" * MAX_ID_CHARS
    assert check_id("https://example.com/ep/1?x=é 2") == "https://example.com/ep/1?x=é 2"
    assert "limit is 256" in error(check_id, "a" * (MAX_ID_CHARS + 1)).problem
    for bad in ("a\nb", "a\x00b", "a\x1bb", "a\x7fb", "a\x85b", "a\u2028b"):
        assert "control character" in error(check_id, bad).problem


@pytest.mark.parametrize(("obj", "where"), [
    ({"id": LONG_ID, "title": "T"}, "body: field id"),
    ({"guid": LONG_ID, "title": "T"}, "body: field guid"),
    ({"id": "a\tb", "title": "T"}, "body: field id"),
    ({"guid": "a\rb", "title": "T"}, "body: field guid"),
    ({"id": 10**300, "title": "T"}, "body: field id"),
])
def test_record_json_ids_are_capped(obj: dict[str, Any], where: str) -> None:
    err = error(parse_record_json, obj, "body")
    assert err.where == where and ("limit is 256" in err.problem or "control character" in err.problem)


def test_record_json_ids_at_the_limit_and_padded_ones_still_read() -> None:
    assert parse_record_json({"id": "a" * MAX_ID_CHARS, "title": "T"}).episode.id == "a" * MAX_ID_CHARS
    assert parse_record_json({"id": "  ep-1\n", "title": "T"}).episode.id == "ep-1"  # outer whitespace stripped


def test_ids_from_file_names_are_capped() -> None:
    [err] = parse_records_text('{"title": "T"}\n', "s" * 300 + ".jsonl")
    assert isinstance(err, InputError) and err.where == "line 1: field id" and "file name" in err.problem
    [ok] = parse_records_text('{"title": "T"}\n', "s" * 240 + ".jsonl")
    assert not isinstance(ok, InputError) and ok.episode.id == "s" * 240 + "#line1"
    err = error(read_record_text, "Episode\nT\n", "a\nb")
    assert err.where == "file name" and "control character" in err.problem
    assert read_record_text("Episode\nMy Title\n")[0].id == "my-title"  # no file name: a slug of the title


def test_feed_items_with_unusable_ids_are_skipped_naming_the_field() -> None:
    items = "".join(f"<item><guid>{g}</guid><title>{t}</title></item>"
                    for g, t in ((LONG_ID, "A"), ("a&#10;b", "B"), ("fine", "C")))
    feed = parse_feed(f"<rss><channel><title>S</title>{items}</channel></rss>".encode(), "feed.xml")
    assert [i.episode.id for i in feed.items] == ["fine"]
    assert [w.split(":")[:2] for w in feed.warnings] == [["item 1", " guid"], ["item 2", " guid"]]
    enclosure = "https://cdn.example.com/" + "a" * 300 + ".mp3"
    feed = parse_feed(f'<rss><channel><item><title>A</title><enclosure url="{enclosure}" type="audio/mpeg"/>'
                      "</item></channel></rss>".encode())
    assert not feed.items and "enclosure url" in feed.warnings[0]


def test_corpus_reports_a_file_whose_stem_cannot_be_an_id(tmp_path: Path) -> None:
    (tmp_path / "bad\nname.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n", encoding="utf-8")
    (tmp_path / "good.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n", encoding="utf-8")
    result = collect_sources([tmp_path])
    assert [s.episode.id for s in result.episodes] == ["good"]
    [err] = result.errors
    assert err.source == str(tmp_path / "bad\nname.vtt") and err.where == "file name"
    assert "control character U+000A" in err.problem
