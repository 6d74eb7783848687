"""SRT reader: the dialects real tools write (numbers or none, `,` or `.`, BOM, CRLF, labels), bad input, fuzzing."""

from __future__ import annotations

import contextlib

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st
from parser_support import read

from indexer.errors import InputError
from indexer.ingest.formats.srt import parse_srt
from indexer.ingest.registry import parse_transcript

T = FIXTURES / "transcripts"


def test_spec_example_label_carries_until_next_label() -> None:
    segs = parse_srt(read(T / "spec-example.srt")).segments
    assert len(segs) == 8
    assert (segs[0].start_s, segs[0].end_s, segs[0].speaker) == (0.179, 2.399, "Travis")
    assert segs[0].text == "When you first get started in podcasting, it's"  # label removed, two lines joined
    assert [s.speaker for s in segs[:5]] == ["Travis"] * 5
    assert segs[5].speaker == "Sarah" and segs[5].text == "Creating good audio is really key to keeping your"
    assert segs[7].speaker == "Sarah" and segs[7].end_s == 64.939


def test_crlf_with_numbers_and_two_speakers() -> None:
    segs = parse_srt(read(T / "postgresfm-bloat.srt")).segments
    assert len(segs) == 8 and segs[0].start_s == 0.06
    assert segs[6].speaker == "Michael" and segs[6].text == "Thanks so much for joining me, Chelsea."
    assert segs[7].speaker == "Chelsea" and segs[7].text == "Thanks so much for having me, Michael."


def test_no_numbers_period_millis_double_blank_lines() -> None:
    segs = parse_srt(read(T / "episode17-no-numbers.srt")).segments
    assert [(s.start_s, s.end_s) for s in segs] == [(0.0, 5.0), (5.0, 10.0), (10.0, 16.0), (16.0, 23.0)]
    assert all(s.speaker is None for s in segs)  # no labels in the file: nobody invented
    assert segs[1].text == "So that's the conference that you went to, was it, has it been two weeks now?"


def test_bom_role_in_label_and_stray_dot_before_label() -> None:
    t = parse_transcript(read(T / "yak-shaving-bom.srt"), "yak-shaving-bom.srt")
    segs = t.segments
    assert segs[0].speaker == "Leo Dion" and segs[0].text.startswith("Before we begin today's episode")
    assert segs[2].speaker == "Tim Mitra" and segs[2].text == "Hey, thanks for having me again."
    assert segs[3].speaker == "Tim Mitra"  # carried forward
    leo = next(s for s in segs if s.start_s == 2647.106)
    assert leo.speaker == "Leo Dion" and leo.text.startswith("So one of the points I made on ATP")


def test_arrow_without_spaces_and_no_final_newline() -> None:
    segs = parse_srt(read(T / "qgis-no-spaces.srt")).segments
    assert segs[0].text == "Hi,Brendan.Welcometothepodcast."  # the export lost its spaces; we never reword
    assert (segs[-1].start_s, segs[-1].end_s, segs[-1].text) == (2364.0, 2365.0, "Thanks.")


def test_number_alone_as_cue_text_is_text() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\n42\n\n2\n00:00:02,000 --> 00:00:03,000\nforty-three\n"
    assert [s.text for s in parse_srt(text).segments] == ["42", "forty-three"]


@pytest.mark.parametrize("text, where, problem", [
    ("1\n00:00:01,000 -> 00:00:02,000\nhi\n", "line 2", "bad cue timing line"),
    ("1\n00:00:01,000 --> 00:00:02\nhi\n", "line 2", "bad cue timestamp"),
    ("1\n99:99:99,000 --> 99:99:99,500\nhi\n", "line 2", "bad cue timestamp"),
    ("1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:00:-3,000 --> 00:00:04,000\nyo\n", "line 6", "bad cue timestamp"),
    ("hello\n1\n00:00:01,000 --> 00:00:02,000\nhi\n", "line 1", "expected a cue number or timing line"),
    ("just words, no cues at all\n", "line 1", "no SRT cue timing line"),
    ("1\n00:00:01,000 --> 00:00:02,000\nh\x00i\n", "line 3", "NUL byte"),
    ("1\n00:00:01,000 --> 00:00:02,000\n\udc80\n", "line 3", "lone surrogate"),
])
def test_malformed_srt_names_the_line(text: str, where: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        parse_srt(text)
    assert info.value.where == where and problem in info.value.problem


def test_out_of_order_and_overlapping_cues_reported() -> None:
    text = ("1\n00:00:10,000 --> 00:00:12,000\nlater\n\n2\n00:00:01,000 --> 00:00:11,000\nearlier\n\n"
            "3\n00:00:20,000 --> 00:00:19,000\nbackwards\n")
    t = parse_transcript(text, "a.srt")
    assert [s.text for s in t.segments] == ["earlier", "later", "backwards"]
    assert any("sorted by start time" in w and "cue 2 (0:01)" in w for w in t.warnings)
    assert any("before the previous one ends" in w and "cue 1 (0:10)" in w for w in t.warnings)
    assert any("ending before they start" in w and "cue 3 (0:20)" in w for w in t.warnings)


@settings(max_examples=200, deadline=None)
@given(st.one_of(
    st.text(),
    st.text(alphabet="0123456789:,.->\n \r\ufeffAb:\x00"),
    st.lists(st.sampled_from(["1", "00:00:01,000 --> 00:00:02,000", "", "Ann: hi", "99:99:99,000 --> 1", "-->"]))
    .map("\n".join),
))
def test_fuzz_only_input_error_escapes(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_srt(text)
