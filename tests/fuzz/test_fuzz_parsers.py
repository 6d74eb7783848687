"""Fuzzing every parser with hostile input: the result is data or the project's InputError naming where, never a crash.

Strategies build *structured* hostile files (cues with `99:99:99`, `-1` or 400-digit timestamps, records whose one
field is wrong, feeds whose every field is odd) as well as random text, since random text rarely gets past a header.
What a parser returns must also be storable (UTF-8), and each crash fuzzing found has a named regression test below.
`PODQUERY_FUZZ_EXAMPLES` sets examples per property: 300 by default (3,375 in all, about 30 s on 2 cores);
3,000 (33,750 in all) ran clean in about 3 minutes.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.datamodel import EpisodeSource
from indexer.errors import InputError
from indexer.ingest import corpus
from indexer.ingest.formats.chapters import parse_chapter_list, parse_chapters_json
from indexer.ingest.formats.record_json import KNOWN_FIELDS, parse_record_json, parse_records_text
from indexer.ingest.formats.record_text import read_record_text
from indexer.ingest.formats.rss import parse_feed
from indexer.ingest.registry import (
    parse_html_transcript,
    parse_json_transcript,
    parse_markdown,
    parse_plain_text,
    parse_srt,
    parse_transcript,
    parse_vtt,
)
from indexer.timecode import parse_timestamp

EXAMPLES = int(os.environ.get("PODQUERY_FUZZ_EXAMPLES", "300"))
fuzz = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- building blocks ----------------------------------------------------------------------------------------------

HOSTILE_TIMES = ["99:99:99", "99:99:99.999", "-1", "-00:00:01.000", "00:-1:00.000", "1e309", "nan", "inf", "-inf",
                 "9" * 400 + ":00:00.000", "9" * 5000, "99999999999999999999:00:00.000", "00:60.000", "1:2:3", "",
                 " ", "00:01,5", "٠٠:٠١.٠٠٠", "0x10", "1_000", "00:00:01.0000000001", "\x00", "\ud800", "１:００"]
PAYLOADS = ["<script>alert(1)</script>", "<v Ann>hi", "<v.loud Bob>x</v>", "-->", "NOTE", "WEBVTT", "\x00", "\ud800",
            "\udfff", "Ann: hello", "**Bob:**", "\\[00:01\\]", "&amp;&#0;&#x110000;&#99999999999;", "\u2028", "\r",
            "<![CDATA[", "<!--", "<c.red>x</c>", "<00:00:01.000>", "[a](b)", "![![![", "\ufeff", "a" * 3000,
            "<v " * 200, "**a" * 200, "\\" * 50]
times = st.one_of(
    st.sampled_from(HOSTILE_TIMES),
    st.builds("{:02d}:{:02d}:{:02d}.{:03d}".format, st.integers(0, 10**6), st.integers(0, 99), st.integers(0, 99),
              st.integers(0, 9999)),
    st.builds("{:02d}:{:02d}.{:03d}".format, st.integers(0, 99), st.integers(0, 99), st.integers(0, 999)),
    st.integers(-10**30, 10**30).map(str),
)
words = st.one_of(st.text(max_size=30), st.sampled_from(PAYLOADS))
numbers = st.one_of(st.integers(-10**400, 10**400), st.floats(allow_nan=True, allow_infinity=True))
json_leaf = st.one_of(st.none(), st.booleans(), numbers, words, times)
json_any = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(words, inner,
                                                                                                  max_size=4),
                        max_leaves=12)
durations = st.one_of(st.none(), st.floats(0, 1e12), st.just(1e300))


def storable(value: Any) -> None:
    """Every string a parser hands on can be written to SQLite as UTF-8 (a lone surrogate once stopped whole builds)."""
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, (list, tuple)):
        for item in value:
            storable(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            storable(getattr(value, f.name))


def attempt(parse: Callable[..., Any], *args: Any, source: str | None = None) -> Any:
    """parse(*args), or the InputError it raised, checked to name `source`; any other exception fails the test.

    What is returned must be storable whenever the input was (JSON's escapes can make surrogates from ASCII).
    """
    try:
        result = parse(*args)
    except InputError as err:
        assert err.problem and str(err)
        if source:
            assert err.source == source and str(err).startswith(source), err
        return err
    if all(_encodable(a) for a in args if isinstance(a, str)):
        storable([r for r in (result if isinstance(result, list) else [result]) if not isinstance(r, InputError)])
    return result


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def lines(*parts: str) -> str:
    return "\n".join(parts)


# --- transcripts --------------------------------------------------------------------------------------------------

@st.composite
def cues(draw: st.DrawFn, comma: bool = False) -> str:
    start, end = draw(times), draw(times)
    if comma:
        start, end = start.replace(".", ","), end.replace(".", ",")
    arrow = draw(st.sampled_from(["-->", "-->", "->", "—>", "=>", "--> -->"]))
    ident = draw(st.sampled_from(["", "1", "cue-1", "-->"]))
    settings_ = draw(st.sampled_from(["", " align:start", " line:0%", " \x00"]))
    body = draw(st.lists(words, max_size=3))
    return lines(*([ident] if ident else []), f"{start} {arrow} {end}{settings_}", *body)


@st.composite
def vtt_files(draw: st.DrawFn) -> str:
    header = draw(st.sampled_from(["WEBVTT", "WEBVTT - title", "\ufeffWEBVTT", "WEBVTT\nKind: captions", "WEBVTTX",
                                   "", "NOTE x"]))
    blocks = draw(st.lists(st.one_of(cues(), st.sampled_from(["NOTE hi", "STYLE\n::cue {}", "REGION\nid:a"])),
                           max_size=8))
    return draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n", "\n \n"])).join([header, *blocks])


@fuzz
@given(vtt_files(), durations)
def test_vtt(text: str, duration: float | None) -> None:
    attempt(parse_vtt, text)
    attempt(parse_transcript, text, "ep.vtt", duration, source="ep.vtt")


@fuzz
@given(st.lists(cues(comma=True), max_size=8), st.sampled_from(["\n\n", "\r\n\r\n", "\n", "\n\n\n"]))
def test_srt(blocks: list[str], sep: str) -> None:
    text = sep.join(f"{n}\n{b}" for n, b in enumerate(blocks, 1))
    attempt(parse_srt, text)
    attempt(parse_transcript, text, "ep.srt", None, source="ep.srt")


def _segment(p20: bool) -> st.SearchStrategy[dict[str, Any]]:
    keys = ("startTime", "endTime", "body", "speaker") if p20 else ("start", "end", "text", "speaker")
    return st.dictionaries(st.sampled_from(keys), st.one_of(json_leaf, json_any), max_size=4)


@fuzz
@given(st.booleans(), st.lists(_segment(True) | _segment(False), max_size=10), json_any)
def test_podcasting20_and_whisper_json(p20: bool, segments: list[dict[str, Any]], extra: Any) -> None:
    shape = {"version": "1.0.0", "segments": segments} if p20 else {"text": extra, "segments": segments}
    for data in (shape, segments, {"segments": extra}, extra):
        text = json.dumps(data)
        attempt(parse_json_transcript, text)
        attempt(parse_transcript, text, "ep.transcript.json", None, source="ep.transcript.json")


@fuzz
@given(st.lists(st.tuples(st.sampled_from(["", "**{}:** ", "**{}**: ", "# ", "> ", "- "]), words, times, words,
                          st.booleans()), max_size=8), durations)
def test_markdown(paragraphs: list[tuple[str, str, str, str, bool]], duration: float | None) -> None:
    text = "\n\n".join(label.format(name) + (f"\\[{t}\\] " if marked else "") + body
                       for label, name, t, body, marked in paragraphs)
    attempt(parse_markdown, text, duration)
    attempt(parse_transcript, text, "ep.md", duration, source="ep.md")


HTML_PARTS = ["<cite>{w}:</cite>", "<time>{t}</time>", "<p>{w}</p>", "<p>{t}</p>", "<p>\\[{t}\\] {w}", "<![", "<!--",
              "<br>", "</p>", "<p", "&#", "<script>{w}</script>", "<![CDATA[{w}]]>", "<!DOCTYPE {w}>", "<?{w}>"]


@fuzz
@given(st.lists(st.tuples(st.sampled_from(HTML_PARTS), words, times), max_size=12), durations)
def test_html(parts: list[tuple[str, str, str]], duration: float | None) -> None:
    text = "".join(p.format(w=w, t=t) for p, w, t in parts)
    attempt(parse_html_transcript, text, duration)
    attempt(parse_transcript, text, "ep.html", duration, source="ep.html")


@fuzz
@given(st.lists(st.tuples(st.sampled_from(["", "[{}] ", "\\[{}\\] "]), times, words), max_size=10),
       st.sampled_from(["\n", "\n\n"]), st.sampled_from(["ep.txt", "", "ep.text", "ep.pdf"]), durations)
def test_plain_text_and_sniffing(rows: list[tuple[str, str, str]], sep: str, name: str,
                                 duration: float | None) -> None:
    text = sep.join(mark.format(t) + w for mark, t, w in rows)
    attempt(parse_plain_text, text, duration)
    attempt(parse_transcript, text, name, duration, source=name or None)


# --- chapters, records, feeds ---------------------------------------------------------------------------------------

@fuzz
@given(st.lists(st.dictionaries(st.sampled_from(["startTime", "endTime", "title", "toc", "img", "url"]),
                                st.one_of(json_leaf, json_any), max_size=5), max_size=8),
       st.lists(st.tuples(st.sampled_from(["", "- ", "1. ", "• "]), st.sampled_from(["{}", "({})", "[{}]"]), times,
                          st.sampled_from([" ", " - ", ": ", " | ", ""]), words), max_size=8))
def test_chapters(items: list[dict[str, Any]], rows: list[tuple[str, str, str, str, str]]) -> None:
    for data in ({"version": "1.2.0", "chapters": items}, items, {"chapters": json.dumps(items)}):
        attempt(parse_chapters_json, json.dumps(data))
    found = attempt(parse_chapter_list, "\n".join(b + form.format(t) + sep + w for b, form, t, sep, w in rows))
    assert all(c.start_s >= 0 for c in found)


GOOD_RECORD = {"id": "ep-1", "title": "A title", "podcast": "Show", "published": "2025-09-30", "duration_s": 90,
               "chapters": [{"start": 0, "title": "Intro"}], "transcript": [{"start": 0, "end": 5, "text": "hi"}]}


@fuzz
@given(st.sampled_from(sorted(KNOWN_FIELDS)), st.one_of(json_leaf, json_any, st.lists(_segment(False), max_size=3)))
def test_a_record_with_one_hostile_field_is_read_or_names_that_field(name: str, value: Any) -> None:
    result = attempt(parse_record_json, {**GOOD_RECORD, name: value})
    if isinstance(result, InputError) and name != "guid":  # a bad guid beside a good id is never read
        assert result.where and name in result.where, result


@fuzz
@given(st.lists(st.one_of(st.dictionaries(st.sampled_from(sorted(KNOWN_FIELDS) + ["version", "segments"]),
                                          st.one_of(json_leaf, json_any), max_size=6).map(json.dumps),
                          st.text(max_size=40), st.sampled_from(["[" * 5000, "1" * 5000, "{}", "[]"])), max_size=6))
def test_json_and_jsonl_records(rows: list[str]) -> None:
    for item in attempt(parse_records_text, "\n".join(rows), "eps.jsonl"):
        if isinstance(item, InputError):
            assert item.where and item.where.startswith("line "), item
    for item in attempt(parse_records_text, "[" + ",".join(rows) + "]", "eps.json"):
        assert not isinstance(item, InputError) or item.where is None or item.where.startswith(("item ", "line "))


RECORD_LABELS = ["Episode", "Podcast", "Published", "Duration seconds", "Canonical source", "Audio", "Summary",
                 "Topics", "Highlights", "Chapters", "JSON", "Actions"]


@fuzz
@given(st.lists(st.tuples(st.sampled_from(RECORD_LABELS), st.lists(st.one_of(
    words, times, st.builds("{}. {} {}: {}".format, st.integers(-1, 10**6), times, words, words),
    st.builds("• {}".format, words)), max_size=3)), max_size=10))
def test_record_text(fields: list[tuple[str, list[str]]]) -> None:
    text = lines("Episode", "Title", *(line for label, values in fields for line in (label, *values)))
    result = attempt(read_record_text, text, "fallback")
    if isinstance(result, InputError):
        assert result.where and result.where.startswith("line "), result


ITEM_TAGS = ["title", "guid", "link", "pubDate", "itunes:duration", "itunes:episode", "description", "itunes:block",
             "podcast:person", "content:encoded", "itunes:summary", "podcast:block"]


@fuzz
@given(st.lists(st.tuples(st.sampled_from(ITEM_TAGS), st.one_of(words, times)), max_size=8),
       st.lists(st.tuples(times, words), max_size=4), st.booleans())
def test_rss_and_atom(fields: list[tuple[str, str]], chapters: list[tuple[str, str]], atom: bool) -> None:
    from xml.sax.saxutils import escape, quoteattr

    body = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in fields)
    body += "<psc:chapters>" + "".join(f"<psc:chapter start={quoteattr(t)} title={quoteattr(w)}/>"
                                       for t, w in chapters) + "</psc:chapters>"
    ns = ('xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:psc="http://podlove.org/simple-chapters" '
          'xmlns:podcast="https://podcastindex.org/namespace/1.0"')
    doc = (f'<feed xmlns="http://www.w3.org/2005/Atom" {ns}><entry>{body}</entry></feed>' if atom
           else f"<rss {ns}><channel><title>Show</title><item>{body}</item></channel></rss>")
    result = attempt(parse_feed, doc.encode("utf-8", "surrogatepass"), "feed.xml", source="feed.xml")
    if isinstance(result, InputError):
        assert not result.problem.startswith("could not read the feed"), result  # the catch-all hides a bug


# --- regressions ------------------------------------------------------------------------------------------------

HUGE_CLOCK = "9" * 400 + ":00:00"
# Crashes fuzzing found, each now an InputError naming the place: (what it was, call, where the error points).
REGRESSIONS = [
    ("OverflowError", lambda: read_record_text(f"Episode\nT\nDuration seconds\n{HUGE_CLOCK}"), "line 4: Duration"),
    ("OverflowError", lambda: read_record_text(f"Episode\nT\nChapters\n1. {HUGE_CLOCK} x"), "line 4: Chapters"),
    ("OverflowError", lambda: parse_chapters_json('{"chapters": [{"startTime": 1%s}]}' % ("0" * 400)),
     "chapters[0].startTime"),
    ("OverflowError", lambda: parse_record_json({"id": "a", "title": "t", "duration_s": 10**400}), "field duration_s"),
    ("OverflowError", lambda: parse_record_json({"id": "a", "title": "t", "chapters": [{"start": HUGE_CLOCK,
                                                                                        "title": "a"}]}),
     "field chapters[0].start"),
    ("RecursionError", lambda: parse_chapters_json("[" * 100_000), None),
    ("RecursionError", lambda: parse_records_text("[" * 100_000, "deep.json"), None),
    ("ValueError (digits)", lambda: parse_records_text("1" * 5000, "big.jsonl"), "line 1"),
    ("UnicodeEncodeError at index time", lambda: parse_record_json({"id": "a", "title": "x \ud800"}), "field title"),
    ("UnicodeEncodeError at index time",
     lambda: parse_record_json({"id": "a", "title": "t", "people": [{"name": "\udfff"}]}), "field people[0].name"),
    ("UnicodeEncodeError at index time", lambda: parse_chapters_json('[{"startTime": 0, "title": "\\ud800"}]'),
     "chapters[0].title"),
]


@pytest.mark.parametrize("was, call, where", REGRESSIONS)
def test_crashes_found_by_fuzzing_are_named_input_errors(was: str, call: Callable[[], Any], where: str | None) -> None:
    try:
        result = call()
    except InputError as err:
        result = [err]
    (error,) = [e for e in result if isinstance(e, InputError)] if isinstance(result, list) else [result]
    assert isinstance(error, InputError), (was, error)
    if where is None:
        assert error.where is None, error
    else:
        assert error.where and where in error.where, error


@pytest.mark.parametrize("value", [HUGE_CLOCK, 10**400, "1e309", float("inf"), "99:99:99", -1])
def test_absurd_timestamps_are_value_errors(value: object) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(value)  # type: ignore[arg-type]


@settings(max_examples=max(EXAMPLES // 4, 10), deadline=None)
@given(st.lists(st.tuples(st.sampled_from([".vtt", ".srt", ".json", ".jsonl", ".txt", ".md", ".html",
                                           ".chapters.json", ".transcript.json"]), st.binary(max_size=300)),
                max_size=4))
def test_corpus_of_random_bytes_loads_or_names_each_file(files: list[tuple[str, bytes]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for n, (suffix, data) in enumerate(files):
            (Path(folder) / f"ep{n % 2}{suffix}").write_bytes(data)
        for item in corpus.load_sources([Path(folder)]):
            assert isinstance(item, EpisodeSource) or (isinstance(item, InputError) and item.source), item
