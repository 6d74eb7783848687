"""Paragraph transcripts: Changelog Markdown with sparse marks, Podcasting 2.0 HTML, plain text; times interpolated."""

from __future__ import annotations

import contextlib

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st
from parser_support import assert_timeline, read

from indexer.errors import InputError
from indexer.ingest.formats.html import parse_html_transcript
from indexer.ingest.formats.markdown import parse_markdown
from indexer.ingest.formats.plaintext import parse_plain_text
from indexer.ingest.registry import parse_transcript

T = FIXTURES / "transcripts"


def test_practical_ai_marks_interpolation_and_speakers() -> None:
    segs = parse_markdown(read(T / "practical-ai-250.md")).segments
    assert_timeline(segs)
    first = segs[0]
    assert (first.start_s, first.speaker, first.time_estimated) == (0.0, "Daniel Whitenack", True)
    assert first.text.startswith("Welcome to another episode of Practical AI.")
    assert segs[1].speaker == "Chris Benson" and segs[1].start_s == first.end_s  # end = next start
    continuation = next(s for s in segs if s.text.startswith("So, back to LanceDB"))
    assert continuation.speaker == "Chang She"  # no bold name: the previous speaker goes on
    laughs = next(s for s in segs if s.text.startswith("Yeah. The dawn of AI."))
    assert laughs.text == "Yeah. The dawn of AI. [laughs]"  # \[laughs\] unescaped, not a time mark
    m1 = next(s for s in segs if s.text.startswith("If you look at what's been out there"))
    assert (m1.start_s, m1.time_estimated, m1.speaker) == (364.0, False, "Chang She")  # \[06:04\]
    m2 = next(s for s in segs if s.text.startswith("You mentioned kind of this transition"))
    assert (m2.start_s, m2.time_estimated, m2.speaker) == (603.0, False, "Daniel Whitenack")  # after the name
    between = [s for s in segs if m1.start_s < s.start_s < m2.start_s]
    assert len(between) == 4 and all(s.time_estimated for s in between)
    assert not any("[06:04]" in s.text or "10:03" in s.text for s in segs)


def test_tail_is_spread_to_duration_or_estimated_at_speaking_rate() -> None:
    text = read(T / "practical-ai-250.md")
    with_duration = parse_markdown(text, duration_s=700.0).segments
    assert with_duration[-1].end_s == 700.0 and with_duration[-1].time_estimated
    without = parse_markdown(text).segments
    last = without[-1]
    words_after_mark = sum(len(s.text.split()) for s in without if s.start_s >= 603.0)
    assert last.end_s == pytest.approx(603.0 + words_after_mark / 2.6, abs=0.01)


def test_news_without_marks_label_paragraphs_and_links() -> None:
    t = parse_markdown(read(T / "changelog-news-10.md"), duration_s=45.0)
    segs = t.segments
    assert [s.speaker for s in segs[:4]] == ["Jerod Santo", "Slim Shady", "Jerod Santo", "Jared Dunn"]
    assert segs[1].text.startswith("Guess who's back, Guess who's back") and "youtube" not in segs[1].text
    assert segs[3].text == "You reckless child!"
    assert all(s.time_estimated for s in segs) and segs[0].start_s == 0.0 and segs[-1].end_s == 45.0
    assert_timeline(segs)


def test_out_of_order_marks_are_ignored_with_a_warning() -> None:
    t = parse_markdown(read(T / "the-changelog-448-excerpt.md"))
    assert t.warnings == [
        "time mark 48:03 at line 23 is out of order with the marks around it; ignored",
        "time mark 52:10 at line 41 is out of order with the marks around it; ignored",
    ]
    assert_timeline(t.segments)
    kept = [s.start_s for s in t.segments if not s.time_estimated]
    assert kept == [48 * 60 + 8, 52 * 60 + 11]  # of two equally long orderings, the earlier marks are trusted
    teams = next(s for s in t.segments if s.text.startswith("But then teams started to grow"))
    assert teams.time_estimated and teams.speaker == "Spencer Kimball" and 48 * 60 + 8 < teams.start_s < 52 * 60 + 11


def test_break_range_with_frame_style_marks() -> None:
    segs = parse_markdown(read(T / "request-for-commits-7-excerpt.md")).segments
    before = next(s for s in segs if s.text.startswith("That makes a lot of sense."))
    after = next(s for s in segs if s.text.startswith("And we are back with Rod Vagg."))
    assert before.end_s == 1218.08  # `**Break:** \[00:20:18:08\] to ...`: hh:mm:ss:ff read as 20:18.08
    assert after.start_s == 1273.0 and after.speaker == "Mikeal Rogers"  # `... to \[\\00:21:13:00\]`
    assert not any(s.speaker == "Break" for s in segs)


def test_mark_forms_and_things_that_are_not_marks() -> None:
    text = (
        "**Ann:** Hello there friend.\n\n"
        "**Bob:** \\[\\\\00:01:00.50\\] Right after the name.\n\n"
        "\\[01:30\\] A paragraph mark, with \\[unintelligible 00:16:38.07\\] inside and \\[02:00\\] too.\n\n"
        "# **Break**: \\[02:10\\]\n\n"
        "\\[00:02:30.00\\\\\\] Ann again? No: still Bob, no name given.\n\n"
        "**Ann:** \\[99:99\\] A broken mark is dropped with a warning.\n"
    )
    t = parse_markdown(text)
    segs = t.segments
    assert [(s.start_s, s.speaker, s.time_estimated) for s in segs] == [
        (0.0, "Ann", True), (60.5, "Bob", False), (90.0, "Bob", False), (150.0, "Bob", False),
        (segs[4].start_s, "Ann", True),
    ]
    assert segs[0].end_s == 60.5 and segs[2].end_s == 130.0  # the break pins where the talk before it ends
    assert segs[2].text == "A paragraph mark, with [unintelligible 00:16:38.07] inside and [02:00] too."
    assert segs[4].text == "A broken mark is dropped with a warning."
    assert t.warnings == ["bad time mark '\\\\[99:99\\\\]' at line 11; ignored"]


def test_markdown_inline_markup_removed_words_kept() -> None:
    segs = parse_markdown("**Ann:** Use *this* and **that**, see [the docs](https://x.io/a_(b)) or `code_here`. "
                          "Vec<String> stays; 2 \\* 3 \\_ ok &amp; fine\n").segments
    assert segs[0].text == ("Use this and that, see the docs or code_here. Vec<String> stays; 2 * 3 _ ok & fine")


def test_spec_html_cite_time_p() -> None:
    segs = parse_html_transcript(read(T / "spec-example.html")).segments
    assert [(s.start_s, s.end_s, s.speaker) for s in segs[:2]] == [(0.0, 53.0, "Travis"), (53.0, 102.0, "Sarah")]
    assert segs[0].text.startswith("When you first get started in podcasting, it's almost")  # &#39; resolved
    assert not any(s.time_estimated for s in segs)


def test_html_speaker_n_time_paragraphs_and_changelog_marks() -> None:
    tales = parse_transcript(read(T / "tales-speaker-n.html"), "tales.html").segments
    assert [(s.start_s, s.speaker) for s in tales] == [
        (0.0, "Speaker 1"), (11.0, "Speaker 2"), (14.0, "Speaker 1"), (15.0, "Speaker 2"), (29.0, "Speaker 2")]
    mcmc = parse_transcript(read(T / "mcmc-time-paragraphs.html"), "mcmc.html").segments
    assert [(s.start_s, s.end_s) for s in mcmc[:3]] == [(119.0, 132.0), (132.0, 134.0), (134.0, 153.0)]
    assert mcmc[1].text == "know I think Can you hear me?" and all(s.speaker is None for s in mcmc)
    gotime = parse_transcript(read(T / "gotime-300.html"), "gotime-300.html").segments
    assert [s.speaker for s in gotime] == ["Kris Brandow", "Jon Calhoun", "Kris Brandow", "Johnny Boursiquot",
                                           "Kris Brandow"]
    assert all(s.time_estimated for s in gotime[:4]) and 0 < gotime[3].start_s < 373.02
    assert (gotime[4].start_s, gotime[4].time_estimated) == (373.02, False)
    assert gotime[4].text.startswith("Yeah, especially over - you know")


def test_html_without_paragraphs_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no transcript text"):
        parse_html_transcript("<html><body><div>nothing here</div></body></html>")


def test_plain_text_paragraphs_lines_and_labels() -> None:
    t = parse_plain_text("Ann: Hello there, how are you.\n\nBob: Fine thanks.\nStill Bob here.\n\nAnn: Good.\n")
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("Ann", "Hello there, how are you."), ("Bob", "Fine thanks. Still Bob here."), ("Ann", "Good.")]
    assert t.segments[1].start_s == pytest.approx(5 / 2.6, abs=0.001) and all(s.time_estimated for s in t.segments)
    lines = parse_transcript("one two three\nfour five\n[00:10] six\n", "notes.txt").segments
    assert [s.text for s in lines] == ["one two three", "four five", "six"]
    assert lines[2].start_s == 10.0 and not lines[2].time_estimated and lines[1].start_s == pytest.approx(6.0)


@settings(max_examples=200, deadline=None)
@given(st.one_of(
    st.text(),
    st.lists(st.sampled_from(["**Ann:** hi", "\\[01:00\\]", "\\[99:99\\] x", "", "# **Break:** \\[00:30\\] to "
                              "\\[00:10\\]", "text *with* [a](b)", "**X**:", "\\[\\\\0:0:0.1\\\\\\]", "\x00"]))
    .map("\n".join),
))
def test_fuzz_markdown_only_input_error_escapes(text: str) -> None:
    try:
        t = parse_markdown(text, duration_s=30.0)
    except InputError:
        return
    assert_timeline(t.segments)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(st.sampled_from(
    ["<cite>A:</cite>", "<time>0:10</time>", "<time>x</time>", "<p>hi</p>", "<p>1:00</p>", "<![", "<p>\\[0:05\\] y"]))
    .map("".join)))
def test_fuzz_html_and_plain_text_only_input_error_escapes(text: str) -> None:
    for parse in (parse_html_transcript, parse_plain_text):
        with contextlib.suppress(InputError):
            parse(text)
