"""WebVTT reader: spec and real-world files (Descript labels, voice tags, whisper), malformed input, fuzzing.

The whole real corpora are read in tests/corpus/test_transcripts_corpus.py.
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st
from parser_support import read

from indexer.errors import InputError
from indexer.ingest.formats.vtt import parse_vtt
from indexer.ingest.registry import parse_transcript

T = FIXTURES / "transcripts"


def test_spec_example_voice_tags_crlf_and_entities() -> None:
    segs = parse_vtt(read(T / "spec-example.vtt")).segments
    assert len(segs) == 7
    first = segs[0]
    assert (first.start_s, first.end_s, first.speaker) == (0.0, 2.76, "Sarah")
    assert first.text == "In today's episode, you'll learn whether or not you"
    assert "Podcasting Q&A, where" in segs[2].text  # &amp; resolved, <v> tag gone
    assert [s.speaker for s in segs[5:]] == ["Gillian", "Gillian"]
    assert segs[-1].end_s == 25.35 and not any(s.time_estimated for s in segs)


def test_descript_label_on_first_cue_of_a_turn_carries_forward() -> None:
    segs = parse_vtt(read(T / "postgresfm-descript.vtt")).segments  # NOTE block after the header
    assert segs[0].start_s == 0.038 and segs[0].end_s == 3.938  # no float noise (3.9379999...)
    assert segs[0].text == "Hello, and welcome to Postgres FM, a new weekly show"  # label removed, lines joined
    assert [s.speaker for s in segs[:6]] == ["Michael"] * 6
    assert segs[6].speaker == "Nikolay" and segs[6].text == "Hello, doing great."
    assert segs[7].speaker == segs[8].speaker == "Nikolay"
    assert segs[8].text == "I'm still, I'm still traveling, still traveling right now."


def test_vtt_in_txt_with_voice_tags_and_whisper_cue_numbers() -> None:
    labs = parse_transcript(read(T / "labs-voice-tags.txt"), "labs-voice-tags.txt")
    assert [s.speaker for s in labs.segments].count("Yishai Beeri") == 10
    assert labs.segments[10].speaker == "Conor Bronsdon" and labs.segments[10].start_s == 37.292
    zen = parse_transcript(read(T / "zenlytic-whisper.txt"), "zenlytic-whisper.txt")
    assert len(zen.segments) == 3 and all(s.speaker is None for s in zen.segments)
    assert zen.segments[0].text.startswith("Hello, and welcome to the Data Engineering Podcast")  # no leading space
    assert zen.segments[1].start_s == 16.42 and zen.warnings == []


def test_minute_timestamps_tags_notes_styles_regions_identifiers() -> None:
    text = (
        "WEBVTT - a title\nKind: captions\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:r1\n\n"
        "NOTE a comment\nspanning lines\n\nintro\n00:01.500 --> 00:04.000 align:start position:10%\n"
        "<c.yellow>Hello</c> <i>there</i>,\n<00:00:02.000><c>world</c> &lt;3\n\n"
        "1:00:00.250 --> 1:00:01.000\n<v.loud Ada Lovelace>Numbers</v>!\n"
    )
    segs = parse_vtt(text).segments
    assert [(s.start_s, s.end_s) for s in segs] == [(1.5, 4.0), (3600.25, 3601.0)]
    assert segs[0].text == "Hello there, world <3" and segs[0].speaker is None
    assert segs[1].text == "Numbers!" and segs[1].speaker == "Ada Lovelace"


def test_whisper_text_with_colon_is_not_a_speaker() -> None:
    text = "WEBVTT\n\n00:00.000 --> 00:02.000\nso we said\n\n00:02.000 --> 00:04.000\nNote: this is not a name\n"
    segs = parse_vtt(text).segments
    assert segs[1].speaker is None and segs[1].text == "Note: this is not a name"


@pytest.mark.parametrize("text, where, problem", [
    ("00:00.000 --> 00:01.000\nhi\n", "line 1", "missing 'WEBVTT' header"),
    ("WEBVTT\n\n00:00.000 -> 00:01.000\nhi\n", "line 3", "bad cue timing line"),
    ("WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n\n00:99:99.000 --> 01:00:00.000\nx\n", "line 6", "bad cue timestamp"),
    ("WEBVTT\n\nid\n00:00.000 --> 00:0x.000\nhi\n", "line 4", "bad cue timestamp"),
    ("WEBVTT\n\n-00:01.000 --> 00:02.000\nhi\n", "line 3", "bad cue timestamp"),
    ("WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n00:01.000 --> 00:02.000\nthere\n", "line 5", "blank line is missing"),
    ("WEBVTT\n\njust some words\n", "line 3", "expected a cue timing line"),
    ("WEBVTT\n\n00:00.000 --> 00:01.000\nh\x00i\n", "line 4", "NUL byte"),
    ("WEBVTT\n\n00:00.000 --> 00:01.000\nh\ud800i\n", "line 4", "lone surrogate"),
])
def test_malformed_vtt_names_the_line(text: str, where: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        parse_vtt(text)
    assert info.value.where == where and problem in info.value.problem


def test_errors_from_parse_transcript_name_the_file() -> None:
    with pytest.raises(InputError, match=r"^ep1\.vtt:line 3: bad cue timestamp"):
        parse_transcript("WEBVTT\n\n00:00.000 --> 99:99.000\nhi\n", "ep1.vtt")


def test_out_of_order_cues_sorted_with_warning() -> None:
    text = "WEBVTT\n\n00:05.000 --> 00:06.000\nsecond\n\n00:01.000 --> 00:02.000\nfirst\n\n00:03.000 --> 00:03.500\n\n"
    t = parse_transcript(text, "x.vtt", duration_s=4.5)
    assert [s.text for s in t.segments] == ["first", "second"]
    assert any("sorted by start time" in w and "cue 2 (0:01)" in w for w in t.warnings)
    assert any("without text dropped" in w and "cue 3" in w for w in t.warnings)
    assert any("past the episode's duration" in w and "cue 1" in w for w in t.warnings)


@settings(max_examples=200, deadline=None)
@given(st.one_of(
    st.text(),
    st.text(alphabet="WEBVT0123456789:.,->\n <v>NOTE\x00\ud800").map(lambda s: "WEBVTT\n\n" + s),
))
def test_fuzz_only_input_error_escapes(text: str) -> None:
    try:
        t = parse_vtt(text)
    except InputError:
        return
    assert all(s.start_s >= 0 for s in t.segments)
