"""Shared reader pieces: text cleanup, speaker labels, timeline checks and interpolation, format detection."""

from __future__ import annotations

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.datamodel import Segment
from indexer.errors import InputError
from indexer.ingest.registry import detect_transcript_format, parse_transcript
from indexer.ingest.text import attribute_speakers, clean_text, split_speaker
from indexer.passages.timing import Paragraph, check_segments, place_paragraphs

T = FIXTURES / "transcripts"


@pytest.mark.parametrize("raw, markdown, clean", [
    ("<v Sarah>Hi <c.yellow>there</c></v>", False, "Hi there"),
    ("<00:00:01.000><c>one</c><00:00:01.500><c> two</c>", False, "one two"),
    ("<i>Q&amp;A</i> &lt;3 &#39;quoted&#39;", False, "Q&A <3 'quoted'"),
    ("line one<br/>line two\n  line   three\t", False, "line one line two line three"),
    ("Vec<String> and a < b > c", False, "Vec<String> and a < b > c"),  # not tags: words are kept
    ("\\[laughs\\] 2 \\* 3 \\_ \\# no", True, "[laughs] 2 * 3 _ # no"),
    ("\\[laughs\\]", False, "\\[laughs\\]"),  # Markdown escapes only undone in Markdown
    ("zero\u200bwidth \x07bell\ufeff", False, "zerowidth bell"),
])
def test_clean_text(raw: str, markdown: bool, clean: str) -> None:
    assert clean_text(raw, markdown=markdown) == clean


@pytest.mark.parametrize("text, speaker", [
    ("Michael: Hello, and welcome", "Michael"),
    ("Leo Dion (host): Before we begin", "Leo Dion"),
    (". Leo Dion (host): So one of the points", "Leo Dion"),
    ("Speaker 2: It is.", "Speaker 2"),
    ("SPEAKER_01: diarised", "SPEAKER_01"),
    ("Ludwig van Beethoven: da da da dum", "Ludwig van Beethoven"),
    ("José Valim: Elixir", "José Valim"),
    ("Note: this is not a name", None),
    ("So here's the thing: it works", None),
    ("What's it FUD: fear uncertainty.", None),
    ("Yes: absolutely", None),
    ("the answer: 42", None),
    ("Time 10:30 is fine", None),
    ("see https://example.com: a link", None),
    ("One Two Three Four Five: too many words", None),
])
def test_split_speaker_is_conservative(text: str, speaker: str | None) -> None:
    name, rest = split_speaker(text)
    assert name == speaker
    if speaker is None:
        assert rest == text


def test_labels_carry_forward_only_in_labelled_files() -> None:
    speakers, texts = attribute_speakers(["Ann: Hi there", "how are you", "Bob: Fine", "thanks"])
    assert speakers == ["Ann", "Ann", "Bob", "Bob"] and texts == ["Hi there", "how are you", "Fine", "thanks"]
    # One stray "Word:" mid-file is not a labelled file: nothing is removed or invented.
    speakers, texts = attribute_speakers(["so we went", "Basically: it failed", "and then"])
    assert speakers == [None, None, None] and texts[1] == "Basically: it failed"
    speakers, _ = attribute_speakers(["a", "b", "c"], ["Ann", None, "Bob"])
    assert speakers == ["Ann", "Ann", "Bob"]


def seg(start: float, end: float | None, text: str = "x") -> Segment:
    return Segment(start_s=start, end_s=end, text=text)


def test_check_segments_reports_and_only_sorts() -> None:
    segments = [seg(10, 12, "b"), seg(1, 3, "a"), seg(2.5, 4, "c"), seg(20, 19, "d"), seg(30, 31, " "),
                seg(-1, 0, "e"), seg(100, 101, "f")]
    out, warnings = check_segments(segments, duration_s=60)
    assert [s.text for s in out] == ["e", "a", "c", "b", "d", "f"]  # stable sort; the empty one dropped
    assert warnings == [
        "1 segment(s) without text dropped: cue 5 (0:30)",
        "1 segment(s) with negative times: cue 6 (-1s)",
        "1 segment(s) ending before they start: cue 4 (0:20) ends at 0:19",
        "1 segment(s) past the episode's duration 1:00: cue 7 (1:40)",
        "2 segment(s) start before the one above them; sorted by start time: cue 2 (0:01), cue 6 (-1s)",
        "1 segment(s) start before the previous one ends: cue 3 (0:02)",
    ]
    assert check_segments([seg(0, 1), seg(1, 2)], 2.5) == ([seg(0, 1), seg(1, 2)], [])


def test_check_segments_lists_three_then_counts() -> None:
    _, warnings = check_segments([seg(i, i + 2) for i in range(10)], None)
    assert warnings == ["9 segment(s) start before the previous one ends: cue 2 (0:01), cue 3 (0:02), cue 4 (0:03)"
                        " and 6 more"]


def test_place_paragraphs_interpolates_by_words_between_marks() -> None:
    paras = [Paragraph("one two", "A"), Paragraph("three four five six", "B", [10.0]),
             Paragraph("seven eight", "A"), Paragraph("nine ten", "B", [30.0]), Paragraph("eleven", "A")]
    segs, warnings = place_paragraphs(paras, duration_s=40.0)
    assert warnings == []
    assert [(s.start_s, s.end_s, s.time_estimated) for s in segs] == [
        (0.0, 10.0, True), (10.0, 23.333, False), (23.333, 30.0, True), (30.0, 36.667, False), (36.667, 40.0, True)]


def test_place_paragraphs_ignores_marks_that_go_back() -> None:
    paras = [Paragraph("a", marks=[600.0], where="line 1"), Paragraph("b", marks=[300.0], where="line 3"),
             Paragraph("c", marks=[700.0]), Paragraph("d", marks=[800.0])]
    segs, warnings = place_paragraphs(paras)
    assert warnings == ["time mark 5:00 at line 3 is out of order with the marks around it; ignored"]
    assert [s.start_s for s in segs] == [600.0, 650.0, 700.0, 800.0] and segs[1].time_estimated


def test_place_paragraphs_without_marks_or_with_a_late_last_mark() -> None:
    segs, _ = place_paragraphs([Paragraph("w " * 26), Paragraph("w " * 13)])
    assert [(s.start_s, s.end_s) for s in segs] == [(0.0, 10.0), (10.0, 15.0)]  # 2.6 words/s
    segs, warnings = place_paragraphs([Paragraph("w " * 26, marks=[50.0])], duration_s=40.0)
    assert segs[0].end_s == 60.0 and "not before the duration" in warnings[0]


@pytest.mark.parametrize("name, text, fmt", [
    ("a.vtt", "", "vtt"), ("dir/B.SRT", "", "srt"), ("x.json", "", "json"), ("x.md", "", "markdown"),
    ("x.markdown", "", "markdown"), ("x.html", "", "html"), ("x.htm", "", "html"),
    ("x.txt", "\ufeffWEBVTT\n\n", "vtt"), ("x.txt", "1\r\n00:00:01,000 --> 00:00:02,000\r\nhi\r\n", "srt"),
    ("x.txt", ' {"segments": []}', "json"), ("x.txt", "**Ann:** hi\n", "markdown"),
    ("x.txt", "<cite>A:</cite><p>hi</p>", "html"), ("x.txt", "Just words.\n", "text"), ("", "WEBVTT\n", "vtt"),
])
def test_detect_format(name: str, text: str, fmt: str) -> None:
    assert detect_transcript_format(name, text) == fmt


def test_real_vtt_files_named_txt_are_sniffed() -> None:
    for name in ("labs-voice-tags.txt", "zenlytic-whisper.txt"):
        assert detect_transcript_format(name, (T / name).read_text(encoding="utf-8")) == "vtt"


def test_unsupported_and_empty_input() -> None:
    with pytest.raises(InputError, match=r"unsupported transcript format '\.xsl'"):
        parse_transcript("<pst:transcripts/>", "episode.xsl")
    with pytest.raises(InputError, match="empty transcript"):
        parse_transcript("\ufeff \n", "e.srt")


def test_bom_is_stripped_before_dispatch() -> None:
    t = parse_transcript("\ufeffWEBVTT\n\n00:01.000 --> 00:02.000\nhi\n", "a.vtt")
    assert t.segments == [Segment(1.0, 2.0, "hi")]


@settings(max_examples=200, deadline=None)
@given(st.text(), st.sampled_from(["", "a.vtt", "a.srt", "a.json", "a.md", "a.html", "a.txt", "a.pdf"]),
       st.none() | st.floats(min_value=0, max_value=1e5))
def test_fuzz_parse_transcript_only_input_error_escapes(text: str, name: str, duration: float | None) -> None:
    try:
        t = parse_transcript(text, name, duration)
    except InputError:
        return
    assert all(s.text for s in t.segments)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fuzz_cleanup_never_raises_and_is_idempotent_on_plain_words(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned == cleaned.strip() and "\n" not in cleaned
    split_speaker(text)
