"""JSON transcripts: Podcasting 2.0 word-level merging, whisper, inline lists, and errors that name the field."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.errors import InputError
from indexer.ingest.formats.json_transcript import parse_json_transcript, segments_from_dicts
from indexer.ingest.registry import parse_transcript

T = FIXTURES / "transcripts"


def p20(*words: tuple[str | None, float, float, str]) -> str:
    return json.dumps({"version": "1.0.0", "segments": [
        {"speaker": sp, "startTime": s, "endTime": e, "body": b} for sp, s, e, b in words]})


def test_spec_example_words_merge_into_sentences() -> None:
    segs = parse_json_transcript((T / "spec-example.json").read_text(encoding="utf-8")).segments
    assert [(s.start_s, s.end_s, s.speaker, s.text) for s in segs] == [
        (0.5, 2.5, "Darth Vader", "I am your father."),  # start of first word, end of last
        (2.75, 3.0, "Luke", "Nooooo"),
    ]


def test_merge_breaks_at_sentence_end_speaker_change_and_long_pause() -> None:
    segs = parse_json_transcript(p20(
        ("A", 0.0, 0.2, "Hello"), ("A", 0.3, 0.5, "there,"), ("A", 0.6, 0.9, "friend."),
        ("A", 1.0, 1.2, "Next"), ("A", 4.0, 4.2, "after"), ("A", 4.3, 4.5, "pause"),
        ("B", 4.6, 4.8, "Hi"), ("B", 4.9, 5.0, "!"),
    )).segments
    assert [(s.start_s, s.end_s, s.speaker, s.text) for s in segs] == [
        (0.0, 0.9, "A", "Hello there, friend."),
        (1.0, 1.2, "A", "Next"),
        (4.0, 4.5, "A", "after pause"),
        (4.6, 5.0, "B", "Hi!"),  # punctuation token joined without a space
    ]


def test_sentence_level_p20_segments_stay_one_for_one() -> None:
    segs = parse_json_transcript(p20(("Ann", 0, 3, "First sentence."), ("Ann", 3, 6, "Second one?"))).segments
    assert [s.text for s in segs] == ["First sentence.", "Second one?"]


def test_whisper_json() -> None:
    text = json.dumps({"text": " Hi there. How are you?", "language": "en", "segments": [
        {"id": 0, "seek": 0, "start": 0.0, "end": 1.52, "text": " Hi there.", "tokens": [1, 2]},
        {"id": 1, "seek": 0, "start": 1.52, "end": 3.0, "text": " How are you?", "speaker": "SPEAKER_01"},
    ]})
    t = parse_transcript(text, "ep.json")
    assert [(s.start_s, s.end_s, s.text, s.speaker) for s in t.segments] == [
        (0.0, 1.52, "Hi there.", None), (1.52, 3.0, "How are you?", "SPEAKER_01")]


def test_inline_list_and_where_prefix() -> None:
    t = segments_from_dicts([{"start": "0:05", "end": 9, "speaker": "Grace", "text": " Glad  to be here. "},
                             {"start": 10, "text": "No end."}], "transcript")
    assert [(s.start_s, s.end_s, s.speaker, s.text) for s in t.segments] == [
        (5.0, 9.0, "Grace", "Glad to be here."), (10.0, None, None, "No end.")]
    assert parse_json_transcript('[{"start": 1, "end": 2, "text": "bare list"}]').segments[0].text == "bare list"


@pytest.mark.parametrize("text, where, problem", [
    ('{"segments": [', "line 1 column 15", "invalid JSON"),
    ('{\n  "segments": [\n    {"startTime": 1,}\n  ]\n}', "line 3 column 21", "invalid JSON"),
    (p20(("A", 0, 1, "ok"), ("A", "abc", 2, "bad")), "segments[1].startTime", "bad time"),  # type: ignore[arg-type]
    (p20(("A", 99, 100, "ok"), ("A", "99:99:99", 2, "x")), "segments[1].startTime", "bad time"),  # type: ignore
    (p20(("A", -1.5, 1, "neg")), "segments[0].startTime", "bad time"),
    (p20(("A", 0, -2, "neg")), "segments[0].endTime", "bad time"),
    ('{"segments": [{"startTime": 1, "body": 5}]}', "segments[0].body", "expected a string"),
    ('{"segments": [{"startTime": true, "body": "x"}]}', "segments[0].startTime", "expected a number"),
    ('{"segments": [{"body": "x"}]}', "segments[0].startTime", "missing start time"),
    ('{"segments": [{"start": 0, "end": 1}]}', "segments[0].text", "missing text"),
    ('{"segments": [{"start": 0, "text": "a\\u0000b"}]}', "segments[0].text", "NUL byte"),
    ('{"segments": [{"start": 0, "text": "\\ud800"}]}', "segments[0].text", "lone surrogate"),
    ('{"segments": [{"start": 1e999, "text": "x"}]}', "segments[0].start", "bad time"),
    ('{"segments": ["text"]}', "segments[0]", "expected an object"),
    ('{"segments": {"a": 1}}', "segments", "expected a list"),
    ('{"version": "1.0.0"}', "segments", "no 'segments' list"),
    ('[{"start": "x", "text": "y"}]', "[0].start", "bad time"),
])
def test_bad_json_names_line_or_field(text: str, where: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        parse_json_transcript(text)
    assert info.value.where == where and problem in info.value.problem


def test_non_object_and_huge_numbers_are_input_errors() -> None:
    for text in ('"just a string"', "1" * 5000, "[" * 100_000):
        with pytest.raises(InputError):
            parse_json_transcript(text)


def test_out_of_order_segments_sorted_by_parse_transcript() -> None:
    t = parse_transcript(p20(("A", 5, 6, "Later."), ("A", 1, 2, "Sooner.")), "x.json")
    assert [s.text for s in t.segments] == ["Sooner.", "Later."]
    assert any("sorted by start time" in w for w in t.warnings)


json_values: Any = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["segments", "startTime", "endTime", "body", "speaker", "start", "end", "text", "version"]),
        inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), json_values.map(json.dumps)))
def test_fuzz_only_input_error_escapes(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_json_transcript(text)
