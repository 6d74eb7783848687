"""The corpus loader: pairing records with transcripts and chapters, errors that skip one file, the demo data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA

from indexer.datamodel import EpisodeSource
from indexer.errors import InputError
from indexer.ingest import corpus
from indexer.ingest import files as corpus_files
from indexer.ingest.corpus import NO_RECORD, NO_TRANSCRIPT, collect_sources, load_sources
from indexer.ingest.files import read_text_file

VTT = "WEBVTT\n\n00:00.000 --> 00:04.000\nHello and welcome.\n\n00:04.000 --> 00:09.500\nToday: vector search.\n"
SRT = "1\n00:00:00,000 --> 00:00:03,000\nSRT words.\n"
CHAPTERS = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"},
                                             {"startTime": 4, "title": "Topic"},
                                             {"startTime": 6, "title": "Silent", "toc": False}]}


def write(path: Path, content: str | bytes | dict[str, Any] | list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, (dict, list)):
        content = json.dumps(content)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")
    return path


def by_id(result: corpus.LoadResult) -> dict[str, EpisodeSource]:
    return {s.episode.id: s for s in result.episodes}


def test_record_transcript_and_chapters_pair_by_stem(tmp_path: Path) -> None:
    write(tmp_path / "ep.json", {"id": "ep-1", "title": "Vectors", "duration_s": 12})
    write(tmp_path / "ep.vtt", VTT)
    write(tmp_path / "ep.chapters.json", CHAPTERS)
    result = collect_sources([tmp_path])
    assert result.errors == [] and len(result.episodes) == 1
    src = result.episodes[0]
    assert src.episode.id == "ep-1" and src.origin == str(tmp_path / "ep.json")
    assert src.transcript is not None
    assert [s.text for s in src.transcript.segments] == ["Hello and welcome.", "Today: vector search."]
    assert [(c.title, c.start_s, c.end_s) for c in src.episode.chapters] == [("Intro", 0, 4), ("Topic", 4, 12)]
    assert src.warnings == []


def test_lone_transcript_is_an_episode(tmp_path: Path) -> None:
    write(tmp_path / "talk.vtt", VTT)
    write(tmp_path / "talk.chapters.json", CHAPTERS)
    [src] = collect_sources([tmp_path]).episodes
    assert src.episode.id == "talk" and src.episode.title == "talk"
    assert src.warnings == [NO_RECORD]
    assert src.transcript is not None and len(src.transcript.segments) == 2
    # No duration is known, so the last chapter ends where the transcript does.
    assert [(c.title, c.end_s) for c in src.episode.chapters] == [("Intro", 4), ("Topic", 9.5)]


def test_missing_transcript_file_is_an_error_naming_it(tmp_path: Path) -> None:
    write(tmp_path / "a.json", {"title": "A", "transcript": "transcripts/a.vtt"})
    write(tmp_path / "b.json", {"title": "B"})
    result = collect_sources([tmp_path])
    assert [s.episode.id for s in result.episodes] == ["b"]
    [err] = result.errors
    assert err.source == str(tmp_path / "a.json") and err.where == "field transcript"
    assert str(tmp_path / "transcripts" / "a.vtt") in err.problem


def test_transcript_field_path_relative_to_record_is_not_read_twice(tmp_path: Path) -> None:
    write(tmp_path / "records" / "r.jsonl", "\n".join([
        json.dumps({"id": "one", "title": "One", "transcript": "../media/first.srt"}),
        json.dumps({"id": "two", "title": "Two"}),
    ]))
    write(tmp_path / "records" / "two.vtt", VTT)  # JSON Lines records pair by id
    write(tmp_path / "media" / "first.srt", SRT)
    result = collect_sources([tmp_path])
    assert result.errors == []
    got = by_id(result)
    assert set(got) == {"one", "two"}  # first.srt is One's transcript, not an episode of its own
    assert got["one"].transcript is not None and got["one"].transcript.segments[0].text == "SRT words."
    assert got["one"].origin == f"{tmp_path / 'records' / 'r.jsonl'}:line 1"
    assert got["two"].transcript is not None and len(got["two"].transcript.segments) == 2


def test_corrupt_files_are_skipped_while_others_load(tmp_path: Path) -> None:
    write(tmp_path / "good.json", {"title": "Good"})
    write(tmp_path / "good.vtt", VTT)
    write(tmp_path / "broken.json", '{"title": "Broken", ')
    write(tmp_path / "latin1.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nCaf\xe9\n".encode("latin-1"))
    write(tmp_path / "badtimes.srt", "1\n00:00:00,000 --> banana\nwords\n")
    write(tmp_path / "lines.jsonl", json.dumps({"id": "l1", "title": "L1"}) + "\n{oops\n"
          + json.dumps({"id": "l3", "title": "L3"}) + "\n")
    result = collect_sources([tmp_path])
    assert sorted(by_id(result)) == ["good", "l1", "l3"]
    assert by_id(result)["good"].transcript is not None
    errors = {Path(e.source or "").name: e for e in result.errors}
    assert set(errors) == {"broken.json", "latin1.vtt", "badtimes.srt", "lines.jsonl"}
    assert "not valid JSON" in errors["broken.json"].problem
    assert errors["latin1.vtt"].where == "byte offset 35" and "not valid UTF-8" in errors["latin1.vtt"].problem
    assert errors["lines.jsonl"].where == "line 2"


def test_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_files, "MAX_FILE_BYTES", 50)
    write(tmp_path / "big.vtt", VTT)
    with pytest.raises(InputError, match="over the 50 byte limit"):
        read_text_file(tmp_path / "big.vtt")
    [err] = collect_sources([tmp_path]).errors
    assert err.source == str(tmp_path / "big.vtt")


def test_record_text_with_sibling_transcript_and_summary_chapters(tmp_path: Path) -> None:
    write(tmp_path / "show.txt", "Episode\nA text record\nDuration seconds\n100\nSummary\n\nWhat we covered:\n"
                                 "0:00 Intro\n0:30 The meat\n1:10 Outro\n")
    write(tmp_path / "show.srt", SRT)
    write(tmp_path / "plain.txt", "Just some words of a transcript without times.\n")
    got = by_id(collect_sources([tmp_path]))
    assert set(got) == {"show", "plain"}
    show = got["show"]
    assert show.transcript is not None and show.transcript.segments[0].text == "SRT words."
    assert [(c.title, c.start_s, c.end_s) for c in show.episode.chapters] == [
        ("Intro", 0, 30), ("The meat", 30, 70), ("Outro", 70, 100)]
    assert got["plain"].warnings[0] == NO_RECORD


def test_preference_between_transcripts_and_record_chapters_win(tmp_path: Path) -> None:
    write(tmp_path / "ep.json", {"title": "T", "chapters": [{"start": 0, "title": "Own"}]})
    write(tmp_path / "ep.srt", SRT)
    write(tmp_path / "ep.vtt", VTT)
    write(tmp_path / "ep.chapters.json", CHAPTERS)
    result = collect_sources([tmp_path])
    [src] = result.episodes
    assert src.transcript is not None and len(src.transcript.segments) == 2  # .vtt beats .srt
    assert [c.title for c in src.episode.chapters] == ["Own"]
    assert "ignored ep.srt: the episode's transcript is ep.vtt" in src.warnings
    assert "ignored ep.chapters.json: the record has its own chapters" in src.warnings


def test_skipped_files_and_no_transcript_warning(tmp_path: Path) -> None:
    write(tmp_path / "README.md", "# My corpus\n")
    write(tmp_path / ".hidden.vtt", VTT)
    write(tmp_path / ".git" / "x.json", {"title": "no"})
    write(tmp_path / "cover.png", b"\x89PNG")
    write(tmp_path / "orphan.chapters.json", CHAPTERS)
    write(tmp_path / "meta.json", {"title": "Metadata only", "summary": "Talk about things."})
    result = collect_sources([tmp_path])
    [src] = result.episodes
    assert src.episode.id == "meta" and src.transcript is None
    assert src.warnings == [NO_TRANSCRIPT]
    skipped = "\n".join(result.skipped)
    for name in ("README.md", "cover.png", "orphan.chapters.json"):
        assert name in skipped
    assert ".hidden" not in skipped and ".git" not in skipped
    assert result.errors == []


def test_duplicate_ids_later_wins(tmp_path: Path) -> None:
    write(tmp_path / "a" / "one.json", {"id": "same", "title": "Older"})
    write(tmp_path / "b" / "two.json", {"id": "same", "title": "Newer"})
    [src] = collect_sources([tmp_path]).episodes
    assert src.episode.title == "Newer"
    assert any("duplicate episode id 'same'" in w and "one.json" in w for w in src.warnings)


def test_paths_given_as_files_and_missing_paths(tmp_path: Path) -> None:
    vtt = write(tmp_path / "x.vtt", VTT)
    items = list(load_sources([vtt, tmp_path / "nope"]))
    assert isinstance(items[0], InputError) and items[0].source == str(tmp_path / "nope")
    assert isinstance(items[1], EpisodeSource) and items[1].episode.id == "x"


def test_a_file_named_alone_brings_its_siblings(tmp_path: Path) -> None:
    record = write(tmp_path / "ep.json", {"title": "Alone"})
    write(tmp_path / "ep.vtt", VTT)
    write(tmp_path / "ep.chapters.json", CHAPTERS)
    write(tmp_path / "other.vtt", VTT)
    [src] = collect_sources([record]).episodes
    assert src.transcript is not None and [c.title for c in src.episode.chapters] == ["Intro", "Topic"]
    [lone] = collect_sources([tmp_path / "other.vtt"]).episodes
    assert lone.episode.id == "other"


def test_demo_data_loads() -> None:
    result = collect_sources([DATA])
    assert result.errors == []
    got = by_id(result)
    assert len(got) == 21
    seed = got["000_63d314c80ff6c941"]
    assert seed.transcript is None and NO_TRANSCRIPT in seed.warnings
    assert len(seed.episode.chapters) == 7 and len(seed.episode.highlights) == 5
    practical = [s for s in result.episodes if s.episode.podcast == "Practical AI"]
    assert len(practical) == 20
    for src in practical:
        assert src.transcript is not None and len(src.transcript.segments) > 50, src.origin
        assert src.episode.title and src.episode.audio_url and src.episode.published
        assert src.episode.people and src.episode.duration_s
        assert sum(1 for s in src.transcript.segments if not s.time_estimated) >= 8, src.origin  # timed turns
        assert "Sponsors:" not in src.episode.summary
        assert NO_TRANSCRIPT not in src.warnings and NO_RECORD not in src.warnings
    assert any("ATTRIBUTION.md" in s for s in result.skipped)


def test_a_feed_in_the_corpus_is_read_with_its_media_folder(tmp_path: Path) -> None:
    feed = """<?xml version="1.0"?><rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
    <channel><title>Feed Show</title>
    <item><guid>ep-1</guid><title>First</title><enclosure url="https://x/1.mp3" type="audio/mpeg" length="1"/>
    <podcast:transcript url="https://host/ep1.vtt" type="text/vtt"/></item>
    </channel></rss>"""
    write(tmp_path / "corpus" / "show.xml", feed)
    write(tmp_path / "media" / "ep1.vtt", VTT)
    [src] = list(load_sources([tmp_path / "corpus"], tmp_path / "media"))
    assert src.episode.id == "ep-1" and src.episode.podcast == "Feed Show"
    assert src.transcript is not None and src.transcript.segments
