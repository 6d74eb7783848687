"""Paragraph transcripts with sparse or no times: Changelog-style Markdown, Podcasting 2.0 HTML, and plain text.

They share one shape (a paragraph per turn, a time mark now and then) and so share timeline.place_paragraphs.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

from ..errors import InputError
from ..model import Transcript
from .text import attribute_speakers, check_characters, clean_text, split_lines, strip_bom
from .timeline import Paragraph, place_paragraphs, to_seconds

log = logging.getLogger(__name__)

# `**Name:**` or `**Name**:` opening a paragraph.
_LABEL = re.compile(r"^\*\*(?P<name>[^*\n]{1,80}?)(?::\*\*|\*\*\s*:)[ \t]*")
# A time mark `\[12:34\]`, `\[01:02:03.45\]`; Changelog files also hold `\[\\00:22:22.11\]`, `\[00:03:49.08\\\]` and
# `\[00:11**:** 51.07\]`, and plain `[12:34]` appears in hand-written text. Only one at the start of a paragraph (or
# right after the speaker's name) is a mark: `\[unintelligible 00:16:38.07\]` and marks mid-text are words.
_MARK = re.compile(r"^\\?\[(?:\\\\)?\s*(?P<time>[0-9][0-9:.,*\s]*?)\s*(?:\\\\)?\\?\][ \t]*")
_RANGE_TO = re.compile(r"^to[ \t]+")  # `**Break:** \[25:59\] to \[27:11\]`
_HEADING = re.compile(r"^#{1,6}[ \t]+")
_LINE_MARKUP = re.compile(r"^(?:>[ \t]?|[-*+][ \t]+)")


def split_marks(text: str, where: str, warnings: list[str]) -> tuple[list[float], str]:
    """(times, rest) for the time marks opening `text`; a mark that is no valid time is removed with a warning."""
    times: list[float] = []
    while True:
        m = _MARK.match(text)
        if not m:
            break
        raw = re.sub(r"[*\s]", "", m["time"])
        # Some editors wrote `hh:mm:ss:ff` (a frame or hundredths count last): keep the seconds, read ff as hundredths.
        raw = re.sub(r"^([0-9]+:[0-9]{2}:[0-9]{2}):([0-9]{2})$", r"\1.\2", raw)
        try:
            times.append(to_seconds(raw))
        except ValueError:
            warnings.append(f"bad time mark {m.group(0).strip()!r} at {where}; ignored")
        text = text[m.end():]
        to = _RANGE_TO.match(text)
        if to and _MARK.match(text[to.end():]):
            text = text[to.end():]
    return times, text


def parse_markdown(text: str, duration_s: float | None = None) -> Transcript:
    """Transcript from Markdown turns (`**Speaker Name:** text`), one segment per paragraph.

    A paragraph without a bold name continues the previous speaker. Times come from marks at paragraph starts;
    the rest are interpolated by word count and flagged time_estimated (see timeline.place_paragraphs). Segments
    come out in time order. Raises InputError only for a NUL byte or lone surrogate.
    """
    text = strip_bom(text)
    check_characters(text)
    warnings: list[str] = []
    paragraphs: list[Paragraph] = []
    speaker: str | None = None
    block: list[str] = []
    block_line = 0

    def flush() -> None:
        nonlocal speaker
        if not block:
            return
        where = f"line {block_line}"
        joined = " ".join(_LINE_MARKUP.sub("", line.strip()) for line in block)
        is_heading = bool(_HEADING.match(joined))
        joined = _HEADING.sub("", joined)
        label = _LABEL.match(joined)
        if label:
            joined = joined[label.end():]
        marks, rest = split_marks(joined, where, warnings)
        body = clean_text(rest, markdown=True)
        if label and (body or not marks):
            # A label with only a mark (`**Break:** \[22:39\]`) pins a time; it is not who speaks next.
            speaker = clean_text(label["name"], markdown=True) or None
        # A heading is an editor's title, not speech: keep its words, attribute them to nobody.
        who = None if is_heading and not label else speaker
        if body or marks:
            paragraphs.append(Paragraph(text=body, speaker=who, marks=marks, where=where))
        block.clear()

    for n, line in enumerate(split_lines(text), start=1):
        if line.strip():
            if not block:
                block_line = n
            block.append(line)
        else:
            flush()
    flush()
    segments, more = place_paragraphs(paragraphs, duration_s)
    log.debug("markdown: %d paragraphs, %d with marks", len(paragraphs), sum(1 for p in paragraphs if p.marks))
    return Transcript(segments=segments, warnings=warnings + more)


class _Blocks(HTMLParser):
    """Collects the text of <cite>, <time> and <p> elements in document order, with their lines."""

    TAGS = ("cite", "time", "p")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, int]] = []
        self._open: str | None = None
        self._buf: list[str] = []
        self._line = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.TAGS:
            self._close()
            self._open, self._line = tag, self.getpos()[0]
        elif tag == "br" and self._open:
            self._buf.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._close()

    def handle_data(self, data: str) -> None:
        if self._open:
            self._buf.append(data)

    def _close(self) -> None:
        if self._open:
            self.blocks.append((self._open, "".join(self._buf), self._line))
        self._open, self._buf = None, []

    def close(self) -> None:
        super().close()
        self._close()


_CLOCK_ONLY = re.compile(r"^\s*(?:[0-9]+:)?[0-9]{1,3}:[0-9]{2}(?:[.,][0-9]+)?\s*$")


def parse_html_transcript(text: str, duration_s: float | None = None) -> Transcript:
    """Transcript from Podcasting 2.0 HTML (`<cite>Speaker:</cite> <time>0:53</time> <p>text</p>`), a segment per <p>.

    Also reads `<p>1:59</p>` time-only paragraphs before the text they time, and Changelog pages whose paragraphs
    open with `\\[mm:ss\\]` marks; missing times are interpolated as for Markdown. Raises InputError when there is no
    <p> text, or for a NUL byte or lone surrogate.
    """
    text = strip_bom(text)
    check_characters(text)
    parser = _Blocks()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as e:  # html.parser's few hard failures (e.g. a broken `<![` section)
        raise InputError(f"unreadable HTML: {e}", where=f"line {parser.getpos()[0]}") from None
    warnings: list[str] = []
    paragraphs: list[Paragraph] = []
    speaker: str | None = None
    pending: list[float] = []
    for tag, content, line in parser.blocks:
        where = f"line {line}"
        if tag == "cite":
            speaker = clean_text(content).rstrip(":").strip() or None
        elif tag == "time" or (tag == "p" and _CLOCK_ONLY.match(content)):
            try:
                pending.append(to_seconds(content.strip()))
            except ValueError:
                warnings.append(f"bad time {content.strip()[:40]!r} at {where}; ignored")
        else:
            marks, rest = split_marks(content.strip(), where, warnings)
            body = clean_text(rest, markdown=True)
            if body:
                paragraphs.append(Paragraph(text=body, speaker=speaker, marks=pending + marks, where=where))
                pending = []
    if not paragraphs:
        raise InputError("no transcript text in <p> elements: not a Podcasting 2.0 HTML transcript")
    segments, more = place_paragraphs(paragraphs, duration_s)
    return Transcript(segments=segments, warnings=warnings + more)


def parse_plain_text(text: str, duration_s: float | None = None) -> Transcript:
    """Transcript from plain text: one segment per paragraph (per line when there are no blank lines).

    Plain text has no times, so all are estimated (from 0 at timeline.WORDS_PER_SECOND, or spread over
    `duration_s`) unless a paragraph opens with a `[mm:ss]` mark; `Name:` labels are read as for SRT.
    """
    text = strip_bom(text)
    check_characters(text)
    lines = split_lines(text)
    filled = [n for n, line in enumerate(lines) if line.strip()]
    by_paragraph = bool(filled) and any(not lines[n].strip() for n in range(filled[0], filled[-1]))
    chunks: list[tuple[int, str]] = []  # (first line number, text)
    for n in filled:
        if by_paragraph and chunks and n > 0 and lines[n - 1].strip():
            chunks[-1] = (chunks[-1][0], f"{chunks[-1][1]} {lines[n].strip()}")
        else:
            chunks.append((n + 1, lines[n].strip()))

    warnings: list[str] = []
    marked = [(n, *split_marks(chunk, f"line {n}", warnings)) for n, chunk in chunks]
    speakers, texts = attribute_speakers([rest for _, _, rest in marked])
    paragraphs = [
        Paragraph(text=clean_text(t), speaker=sp, marks=marks, where=f"line {n}")
        for (n, marks, _), sp, t in zip(marked, speakers, texts)
    ]
    segments, more = place_paragraphs(paragraphs, duration_s)
    return Transcript(segments=segments, warnings=warnings + more)
