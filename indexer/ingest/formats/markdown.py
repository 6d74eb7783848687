"""Markdown transcripts (Changelog style): `**Speaker:**` turns and sparse `\\[mm:ss\\]` time marks.

Paragraph transcripts (this, HTML and plain text) share one shape, a paragraph per turn with a time mark now
and then, and so share `passages.timing.place_paragraphs`; `split_marks` reads the marks for all three.
"""

from __future__ import annotations

import logging
import re

from indexer.datamodel import Transcript
from indexer.ingest.text import check_characters, clean_text, split_lines, strip_bom
from indexer.passages.timing import Paragraph, place_paragraphs, to_seconds

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
