"""HTML transcripts (Podcasting 2.0 `text/html`): a paragraph per turn, speaker in `<cite>`, times in `<time>`
or opening `\\[mm:ss\\]` marks; missing times interpolated like Markdown's."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

from indexer.datamodel import Transcript
from indexer.errors import InputError
from indexer.ingest.formats.markdown import split_marks
from indexer.ingest.text import check_characters, clean_text, strip_bom
from indexer.passages.timing import Paragraph, place_paragraphs, to_seconds

log = logging.getLogger(__name__)


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
