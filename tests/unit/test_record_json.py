"""JSON and JSON Lines episode records: the documented example, dates, times, inline transcripts, bad fields."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import REPO

from indexer.errors import InputError
from indexer.ingest.formats.record_json import RecordJSON, normalise_date, parse_record_json, parse_records_text

LAYOUT_DOC = REPO / "README.md"


def documented_example() -> dict[str, Any]:
    """The record under "Example record" in README.md, so the doc cannot drift from the code."""
    doc = LAYOUT_DOC.read_text("utf-8")
    section = doc.split("### Example record", 1)[1]
    block = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert block, "README.md lost its example record"
    return json.loads(block.group(1))


def test_documented_example_has_every_field() -> None:
    from indexer.ingest.formats.record_json import KNOWN_FIELDS

    assert set(documented_example()) == KNOWN_FIELDS


def test_documented_example() -> None:
    rec = parse_record_json(documented_example(), fallback_id="stem")
    ep = rec.episode
    assert ep.id == "ep-042"  # id wins over guid and the file stem
    assert ep.podcast == "The Example Show"
    assert ep.title == "Search that finds the moment"
    assert ep.published == "2025-09-30T09:00:00-04:00"
    assert ep.duration_s == 3903.0
    assert ep.url == "https://example.com/episodes/42"
    assert ep.audio_url == "https://example.com/audio/42.mp3"
    assert ep.summary.startswith("Why keyword search")
    assert ep.topics == ["Search", "Podcasts", "Speech recognition"]
    assert ep.highlights == ["Main idea: BM25 and embeddings fail differently, so fuse them"]
    assert ep.people == ["Ada Host", "Grace Guest"]
    assert [(c.index, c.title, c.start_s, c.end_s) for c in ep.chapters] == [
        (0, "Intro", 0.0, 750.0), (1, "Hybrid search", 750.0, 3723.0), (2, "Wrap-up", 3723.0, 3903.0)]
    assert ep.chapters[1].description == "Reciprocal rank fusion, in practice."
    assert rec.transcript_path == "ep-042.vtt" and rec.transcript is None and rec.chapters_path is None
    assert rec.warnings == []


def test_id_falls_back_to_guid_then_stem() -> None:
    assert parse_record_json({"title": "T", "guid": "g-1"}, fallback_id="stem").episode.id == "g-1"
    assert parse_record_json({"title": "T", "id": 7}, fallback_id="stem").episode.id == "7"
    assert parse_record_json({"title": "T"}, fallback_id="stem").episode.id == "stem"
    with pytest.raises(InputError, match="no episode id"):
        parse_record_json({"title": "T"})


@pytest.mark.parametrize("raw, expected", [
    ("2025-09-30", "2025-09-30"),
    ("2025-09-30T09:00:00Z", "2025-09-30T09:00:00+00:00"),
    ("2025-09-30T09:00:00+02:00", "2025-09-30T09:00:00+02:00"),
    ("Thu, 19 Dec 2024 11:30:00 -0500", "2024-12-19T11:30:00-05:00"),
    ("Mon, 02 Feb 2026 14:00:22 GMT", "2026-02-02T14:00:22+00:00"),
    ("Sep 30, 2025", "2025-09-30"),
])
def test_dates(raw: str, expected: str) -> None:
    assert normalise_date(raw) == expected
    assert parse_record_json({"title": "T", "published": raw}, fallback_id="x").episode.published == expected


@pytest.mark.parametrize("start, seconds", [(90, 90.0), (12.5, 12.5), ("1:30", 90.0), ("1:02:03", 3723.0),
                                            ("00:01:02.500", 62.5), ("75", 75.0)])
def test_chapter_start_forms(start: Any, seconds: float) -> None:
    rec = parse_record_json({"title": "T", "chapters": [{"start": start, "title": "C"}]}, fallback_id="x")
    assert rec.episode.chapters[0].start_s == seconds
    assert rec.episode.chapters[0].end_s is None  # no duration known


def test_duration_forms_and_chapter_warnings() -> None:
    rec = parse_record_json({"title": "T", "duration_s": "0:10:00", "chapters": [
        {"start": "5:00", "title": "B"}, {"start": 0, "title": "A"}, {"start": "11:00", "title": "Late"}]},
        fallback_id="x")
    assert rec.episode.duration_s == 600.0
    assert [c.title for c in rec.episode.chapters] == ["A", "B", "Late"]
    assert any("out of order" in w for w in rec.warnings)
    assert any("past the duration" in w for w in rec.warnings)


def test_inline_transcript() -> None:
    rec = parse_record_json({"title": "T", "duration_s": 60, "transcript": [
        {"start": 0, "end": 4.5, "speaker": "Ada", "text": "Welcome to the show."},
        {"start": "0:05", "end": "0:09", "speaker": "Grace", "text": "Glad to be here."},
    ]}, fallback_id="x")
    assert rec.transcript_path is None and rec.transcript is not None
    segs = rec.transcript.segments
    assert [(s.start_s, s.end_s, s.speaker, s.text) for s in segs] == [
        (0.0, 4.5, "Ada", "Welcome to the show."), (5.0, 9.0, "Grace", "Glad to be here.")]


def test_chapters_and_transcript_paths() -> None:
    rec = parse_record_json({"title": "T", "chapters": "ep.chapters.json", "transcript": "../t/ep.srt"},
                            fallback_id="x")
    assert rec.chapters_path == "ep.chapters.json" and rec.transcript_path == "../t/ep.srt"
    assert rec.episode.chapters == []


def test_people_forms_and_unknown_fields() -> None:
    rec = parse_record_json({"title": " T ", "people": ["Ada", {"name": "Grace", "role": "Guest"}, "Ada"],
                             "explicit": True, "episode": 12}, fallback_id="x")
    assert rec.episode.people == ["Ada", "Grace"] and rec.episode.title == "T"


@pytest.mark.parametrize("record, where, message", [
    ({}, "field title", "needs a title"),
    ({"title": 5}, "field title", "expected a string, got a number"),
    ({"title": "T", "duration_s": "long"}, "field duration_s", "not a timestamp"),
    ({"title": "T", "duration_s": [1]}, "field duration_s", "got an array"),
    ({"title": "T", "published": "yesterday"}, "field published", "not a date"),
    ({"title": "T", "topics": "AI"}, "field topics", "an array of strings"),
    ({"title": "T", "highlights": ["ok", 3]}, "field highlights[1]", "expected a string"),
    ({"title": "T", "people": [{"role": "Host"}]}, "field people[0].name", "needs a name"),
    ({"title": "T", "people": [None]}, "field people[0]", "got null"),
    ({"title": "T", "url": {"href": "x"}}, "field url", "got an object"),
    ({"title": "T", "chapters": [{"start": 0, "title": "A"}, {"start": 60, "title": "B"},
                                 {"start": "1:7x", "title": "C"}]}, "field chapters[2].start", "not a timestamp"),
    ({"title": "T", "chapters": [{"title": "A"}]}, "field chapters[0].start", "needs a start"),
    ({"title": "T", "chapters": [{"start": 0}]}, "field chapters[0].title", "non-empty string"),
    ({"title": "T", "chapters": [{"start": 0, "title": "A", "description": 1}]}, "field chapters[0].description",
     "a string"),
    ({"title": "T", "chapters": {"start": 0}}, "field chapters", "an array of chapters or a path"),
    ({"title": "T", "chapters": ""}, "field chapters", "empty path"),
    ({"title": "T", "transcript": 12}, "field transcript", "a path (string) or an array"),
    ({"title": "T", "transcript": [{"start": 0}]}, "field transcript[0].text", "missing text"),
    ({"title": "T", "transcript": [{"start": "x", "text": "hi"}]}, "field transcript[0].start", "bad time"),
])
def test_bad_fields_name_the_field(record: dict[str, Any], where: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_record_json(record, fallback_id="x")
    assert info.value.where == where
    assert message in info.value.problem


def test_where_prefix_and_not_an_object() -> None:
    with pytest.raises(InputError) as info:
        parse_record_json({"title": "T", "duration_s": "?"}, where="line 3", fallback_id="x")
    assert info.value.where == "line 3: field duration_s"
    with pytest.raises(InputError, match="expected a JSON object"):
        parse_record_json(["not", "a", "record"])


def test_podcasting20_files_get_a_naming_hint() -> None:
    with pytest.raises(InputError, match=r"EPISODE\.chapters\.json"):
        parse_record_json({"version": "1.2.0", "title": "Ep 7", "chapters": [{"startTime": 0}]}, fallback_id="x")
    with pytest.raises(InputError, match=r"EPISODE\.transcript\.json"):
        parse_record_json({"version": "1.0.0", "segments": []}, fallback_id="x")


def test_json_file_object_and_array() -> None:
    one = parse_records_text(json.dumps({"title": "Solo"}), "shows/solo.json")
    assert len(one) == 1 and isinstance(one[0], RecordJSON) and one[0].episode.id == "solo"
    many = parse_records_text(json.dumps([{"title": "A"}, {"title": "B", "id": "b"}, {"nope": 1}]), "list.json")
    assert isinstance(many[0], RecordJSON) and many[0].episode.id == "list#item1"
    assert isinstance(many[1], RecordJSON) and many[1].episode.id == "b"
    assert isinstance(many[2], InputError) and many[2].where == "item 3: field title"
    broken = parse_records_text('{"title": "A",', "broken.json")
    assert len(broken) == 1 and isinstance(broken[0], InputError) and "not valid JSON" in broken[0].problem


def test_jsonl_bad_line_fails_alone() -> None:
    lines = [
        json.dumps({"id": "a", "title": "First"}),
        "",
        '{"id": "b", "title": "Broken"',
        json.dumps({"title": "No id", "published": "Tue, 30 Sep 2025 09:00:00 -0400"}),
        json.dumps({"id": "d", "title": "Bad chapters", "chapters": [{"start": "x", "title": "C"}]}),
        json.dumps({"id": "e", "title": "Last"}),
    ]
    out = parse_records_text("\n".join(lines) + "\n", "feed.jsonl")
    assert len(out) == 5
    good = [r for r in out if isinstance(r, RecordJSON)]
    bad = [r for r in out if isinstance(r, InputError)]
    assert [r.episode.id for r in good] == ["a", "feed#line4", "e"]
    assert [r.where for r in good] == ["line 1", "line 4", "line 6"]
    assert good[1].episode.published == "2025-09-30T09:00:00-04:00"
    assert [e.where for e in bad] == ["line 3", "line 5: field chapters[0].start"]
    assert bad[0].at("feed.jsonl").source == "feed.jsonl"
    assert str(bad[1].at("feed.jsonl")).startswith("feed.jsonl:line 5: field chapters[0].start: ")
