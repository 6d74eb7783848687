"""Plain-text transcripts: paragraphs, optional `Name:` speaker prefixes and opening time marks."""

from __future__ import annotations

import logging

from indexer.datamodel import Transcript
from indexer.ingest.formats.markdown import split_marks
from indexer.ingest.text import attribute_speakers, check_characters, clean_text, split_lines, strip_bom
from indexer.passages.timing import Paragraph, place_paragraphs

log = logging.getLogger(__name__)


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
        for (n, marks, _), sp, t in zip(marked, speakers, texts, strict=True)
    ]
    segments, more = place_paragraphs(paragraphs, duration_s)
    return Transcript(segments=segments, warnings=warnings + more)
