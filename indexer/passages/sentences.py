"""The one sentence splitter: for cutting long turns into passages, for answer quotes, and for word-level JSON
transcripts merged into sentence-sized segments.

Spoken transcripts rarely abbreviate, so a sentence ends at end punctuation (and any closing quotes or
brackets) followed by white space or the end of the text; "3.5" and "e.g.," do not end one.
"""

from __future__ import annotations

import re

_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")
_OPENING_JUNK = ",;:-–—"  # left over at a sentence's start when a clause was cut mid-punctuation


def sentence_spans(text: str, *, trim_punctuation: bool = True) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence, white space trimmed (and, for quotes, stray punctuation
    at the start), so slices of `text` stay verbatim."""
    junk = _OPENING_JUNK if trim_punctuation else ""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        _add(text, start, m.end(), junk, spans)
        start = m.end()
    _add(text, start, len(text), junk, spans)
    return spans


def _add(text: str, start: int, end: int, junk: str, spans: list[tuple[int, int]]) -> None:
    while start < end and (text[start].isspace() or text[start] in junk):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, as strings; nothing but white space between them is lost (what chunking cuts)."""
    return [text[s:e] for s, e in sentence_spans(text, trim_punctuation=False)]


def ends_sentence(text: str) -> bool:
    """Whether `text` ends with end punctuation (closing quotes or brackets allowed after it)."""
    stripped = text.rstrip()
    return any(m.end() == len(stripped) for m in _END.finditer(stripped))
