"""Chapter readers: Podcasting 2.0 JSON chapters files and timestamp lists found in show notes.

Both return unnumbered chapters in source order; callers run `model.finish_chapters` with the episode duration,
which sorts, numbers and chains the ends.
"""

from __future__ import annotations

import logging
import re

from indexer.datamodel import Chapter
from indexer.errors import InputError
from indexer.ingest.jsonvalues import json_kind, json_seconds, load_json
from indexer.ingest.text import find_bad_char
from indexer.timecode import parse_timestamp

log = logging.getLogger(__name__)

# A chapter line in show notes: optional bullet, a clock time (bare, in () or []), an optional separator, a title.
# The time must be followed by a bracket, separator or whitespace so "10:30am" or "3:1 odds" never match.
_CHAPTER_LINE = re.compile(
    r"""^\s*(?:[-*\u2022]\s*|\d+[.)]\s+)?  # optional bullet or list number
        (?P<open>[(\[])?                  # (00:00) or [00:00]
        (?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})
        (?(open)[)\]])                    # closing bracket only when one was opened
        (?:\s*[-\u2013\u2014:|]\s*|\s+)   # " - ", " – ", ": ", " | " or just spaces
        (?P<title>\S.*?)\s*$""",
    re.VERBOSE,
)
_TRAILING_SEPARATOR = re.compile(r"\s*[-\u2013\u2014:|]+$")
_SECONDS = "seconds (a number)"  # what a JSON chapter's startTime/endTime must be


def parse_chapters_json(text: str) -> list[Chapter]:
    """Chapters from a Podcasting 2.0 JSON chapters file; `toc: false` (silent) chapters are left out."""
    data = load_json(text)
    if isinstance(data, dict):
        items = data.get("chapters")
        if not isinstance(items, list):
            raise InputError('a JSON chapters file needs a "chapters" array (Podcasting 2.0 chapters format)',
                             where="chapters")
    elif isinstance(data, list):
        items = data  # a bare array of chapter objects: lenient, some tools write only that
    else:
        raise InputError(f"expected a JSON object with a \"chapters\" array, got {json_kind(data)}")
    chapters: list[Chapter] = []
    for i, item in enumerate(items):
        where = f"chapters[{i}]"
        if not isinstance(item, dict):
            raise InputError(f"expected a chapter object, got {json_kind(item)}", where=where)
        if item.get("toc") is False:
            continue
        start = json_seconds(item.get("startTime"), f"{where}.startTime", expected=_SECONDS,
                             missing="missing: every chapter needs a start time in seconds")
        end = json_seconds(item.get("endTime"), f"{where}.endTime", expected=_SECONDS)
        title = item.get("title", "")
        if title is None:
            title = ""
        if not isinstance(title, str):
            raise InputError(f"expected a string, got {json_kind(title)}", where=f"{where}.title")
        if find_bad_char(title) is not None:  # `\ud800` in JSON: no index can store it
            raise InputError("contains a NUL byte or a lone surrogate: not text", where=f"{where}.title")
        assert start is not None
        if end is not None and end < start:
            raise InputError(f"endTime {end:g} is before startTime {start:g}", where=f"{where}.endTime")
        chapters.append(Chapter(index=0, title=title.strip(), start_s=start, end_s=end))
    return chapters


def parse_chapter_list(text: str) -> list[Chapter]:
    """Chapters from `0:00 Title` style lines in a description or show notes; [] unless they form a list.

    A list is a block of at least two such lines (blank lines allowed between them) with strictly increasing
    times; other text ends a block, so a time that opens one sentence of prose is never a chapter. When there
    are several blocks the longest wins (show notes sometimes quote times elsewhere).
    """
    blocks: list[list[Chapter]] = []
    current: list[Chapter] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        chapter = _chapter_line(line)
        if chapter is None:
            if current:
                blocks.append(current)
            current = []
            continue
        if current and chapter.start_s <= current[-1].start_s:
            blocks.append(current)
            current = []
        current.append(chapter)
    if current:
        blocks.append(current)
    lists = [b for b in blocks if len(b) >= 2]
    if not lists:
        return []
    return max(lists, key=len)  # max keeps the first of equal lengths


def _chapter_line(line: str) -> Chapter | None:
    m = _CHAPTER_LINE.match(line)
    if not m:
        return None
    try:
        start = parse_timestamp(m.group("time"))
    except ValueError:
        return None  # "1:75" is not a time; treat the line as prose
    title = _TRAILING_SEPARATOR.sub("", m.group("title")).strip()
    if not title:
        return None
    return Chapter(index=0, title=title, start_s=start)
