"""Podcasting 2.0 JSON chapters (spec examples) and `0:00 Title` lists found in show notes."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from indexer.datamodel import finish_chapters
from indexer.errors import InputError
from indexer.ingest.formats.chapters import parse_chapter_list, parse_chapters_json

CHAPTERS = FIXTURES / "chapters"
SIMPLE_STARTS = [0, 168, 260, 410, 3990, 4600, 5510, 5854, 6089]


def test_spec_example() -> None:
    chapters = parse_chapters_json((CHAPTERS / "example.json").read_text("utf-8"))
    assert [c.start_s for c in chapters] == SIMPLE_STARTS
    assert [c.title for c in chapters][:4] == ["Intro", "Hearing Aids", "Progress Report", "Namespace"]
    finished, warnings = finish_chapters(chapters, 6500)
    assert warnings == []
    assert [c.index for c in finished] == list(range(9))
    assert finished[0].end_s == 168 and finished[-1].end_s == 6500


def test_spec_complex_example_skips_silent_chapter() -> None:
    chapters = parse_chapters_json((CHAPTERS / "exampleComplex.json").read_text("utf-8"))
    starts = [c.start_s for c in chapters]
    assert 4826 not in starts  # the toc: false location marker
    assert starts == [0, 168, 260, 410, 3990, 4200, 4600, 5510, 5854, 6089]
    assert chapters[5].title == "Played song by artist"
    assert all(c.title for c in chapters)


def test_fractional_times_end_time_and_bare_array() -> None:
    text = json.dumps([{"startTime": 0.5, "title": "A", "endTime": 10.25}, {"startTime": "1:00", "title": "B"}])
    chapters = parse_chapters_json(text)
    assert [(c.start_s, c.end_s) for c in chapters] == [(0.5, 10.25), (60.0, None)]


@pytest.mark.parametrize("doc, where, message", [
    ('{"version": "1.2.0"}', "chapters", '"chapters" array'),
    ('{"version": "1.2.0", "chapters": [{"title": "x"}]}', "chapters[0].startTime", "missing"),
    ('{"chapters": [{"startTime": 0}, {"startTime": "soon"}]}', "chapters[1].startTime", "not a timestamp"),
    ('{"chapters": [{"startTime": -3}]}', "chapters[0].startTime", ">= 0"),
    ('{"chapters": [{"startTime": 0, "title": 5}]}', "chapters[0].title", "a number"),
    ('{"chapters": [{"startTime": 9, "endTime": 3}]}', "chapters[0].endTime", "before startTime"),
    ('{"chapters": ["0:00 Intro"]}', "chapters[0]", "chapter object"),
    ('{"chapters": [', "line 1 column 15", "not valid JSON"),
])
def test_bad_chapters_json(doc: str, where: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_chapters_json(doc)
    assert info.value.where == where
    assert message in info.value.problem


@pytest.mark.parametrize("lines", [
    "0:00 Intro\n4:30 Guest background\n1:02:03 Wrap-up",
    "(00:00) Intro\n(04:30) Guest background\n(1:02:03) Wrap-up",
    "00:00 - Intro\n04:30 – Guest background\n1:02:03 — Wrap-up",
    "[00:00] Intro\n[04:30] Guest background\n[1:02:03] Wrap-up",
    "- 0:00 Intro\n- 4:30: Guest background\n- 01:02:03 | Wrap-up",
    "\u2022 00:00:00 Intro\n\n\u2022 00:04:30 Guest background\n\n\u2022 01:02:03 Wrap-up",
    "1. 0:00 Intro\n2. 4:30 Guest background\n3) 1:02:03 Wrap-up",
])
def test_description_list_variants(lines: str) -> None:
    notes = f"In this episode we talk about things.\n\nChapters:\n{lines}\n\nLinks:\nexample.com"
    chapters = parse_chapter_list(notes)
    assert [(c.start_s, c.title) for c in chapters] == [(0, "Intro"), (270, "Guest background"),
                                                         (3723, "Wrap-up")]


def test_one_stray_time_is_not_a_list() -> None:
    assert parse_chapter_list("We met at 10:30 and talked.\n12:45 is when the demo broke.\nBye.") == []
    assert parse_chapter_list("0:00 Intro") == []
    assert parse_chapter_list("") == []


def test_times_must_increase() -> None:
    assert parse_chapter_list("5:00 Later\n1:00 Earlier") == []
    # A run breaks where the time goes backwards; the longest increasing run is the list.
    chapters = parse_chapter_list("9:00 Stray\n0:00 Intro\n3:00 Middle\n6:00 End")
    assert [c.title for c in chapters] == ["Intro", "Middle", "End"]


def test_prose_between_lines_ends_a_list() -> None:
    text = "0:00 Intro\nSome prose here.\n3:00 Middle\nMore prose.\n\n1:00 A\n2:00 B\n3:00 C"
    assert [c.title for c in parse_chapter_list(text)] == ["A", "B", "C"]


def test_not_times() -> None:
    assert parse_chapter_list("10:30am meeting\n11:30am lunch") == []
    assert parse_chapter_list("1:75 Bad\n2:80 Worse") == []
    assert parse_chapter_list("0:00\n1:00 -") == []  # no titles
