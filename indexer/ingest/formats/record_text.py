"""The episode record text format (label lines followed by values), as in data/000_63d314c80ff6c941.txt.

    Episode                      the title follows on the next non-empty line
    Podcast / Published / Duration seconds / Canonical source / Audio     one value line each
    Summary                      free text up to the next label (line breaks kept)
    Topics, Highlights           bullet lists (`•`, `-`, `*` or `1.`); indented lines continue the item
    Chapters                     `1. 1:00 Title: description`; the title ends at the first ": "
    Processing state, JSON, Markdown, Actions                            read past and ignored

A label is a whole unindented line equal to one of the names above. Text in, `Episode` out; no I/O.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from indexer.datamodel import Chapter, Episode, check_id, finish_chapters
from indexer.errors import InputError
from indexer.ingest.formats.record_json import normalise_date
from indexer.timecode import parse_timestamp

log = logging.getLogger(__name__)

VALUE_LABELS = ("Episode", "Podcast", "Published", "Duration seconds", "Processing state", "Canonical source",
                "Audio", "JSON", "Markdown")
SECTION_LABELS = ("Summary", "Topics", "Highlights", "Chapters", "Actions")
_LABELS = frozenset(VALUE_LABELS + SECTION_LABELS)

_BULLET = re.compile(r"^\s*(?:[\u2022*-]|\d+[.)])\s+(?P<text>\S.*)$")  # also a numbered chapter line
_TIME_FIRST = re.compile(r"^\s*(?P<time>\d+(?::\d+)*(?:[.,]\d+)?)\s+(?P<rest>\S.*)$")


@dataclass
class _Field:
    label: str
    line: int  # 1-based line of the label
    lines: list[tuple[int, str]]  # (1-based line number, text) of the value


def sniff_record_text(text: str) -> bool:
    """True when the first non-empty line is the `Episode` label, i.e. this is a record, not a transcript."""
    for line in text.lstrip("\ufeff").splitlines():
        if line.strip():
            return line.strip() == "Episode" and not line[:1].isspace()
    return False


def parse_record_text(text: str, fallback_id: str = "") -> Episode:
    """The episode in a record text; InputError names the line and field of anything unreadable."""
    episode, warnings = read_record_text(text, fallback_id)
    for warning in warnings:
        log.warning("%s: %s", episode.id, warning)
    return episode


def read_record_text(text: str, fallback_id: str = "") -> tuple[Episode, list[str]]:
    """Like `parse_record_text`, but returns the warnings (chapter repairs, stray text) instead of logging them."""
    if not sniff_record_text(text):
        raise InputError('not an episode record: the first line must be the label "Episode"', where="line 1")
    fields, warnings = _split_fields(text)
    title_field = fields.get("Episode")
    title = _one_value(title_field) if title_field else ""
    if not title:
        where = f"line {title_field.line}: Episode" if title_field else "line 1: Episode"
        raise InputError("missing title: the line after \"Episode\" must hold the episode title", where=where)
    # The fallback is the file's stem; a slug of the title is short and printable by construction.
    episode_id = check_id(fallback_id, "file name", "the id taken from the file name") if fallback_id else _slug(title)
    episode = Episode(id=episode_id, title=title)
    episode.podcast = _one_value(fields.get("Podcast"))
    if (f := fields.get("Published")) and _one_value(f):
        try:
            episode.published = normalise_date(_one_value(f))
        except ValueError as exc:
            raise InputError(str(exc), where=_where(f)) from None
    if (f := fields.get("Duration seconds")) and _one_value(f):
        try:
            episode.duration_s = parse_timestamp(_one_value(f))
        except ValueError as exc:
            raise InputError(f"not a number of seconds: {exc}", where=_where(f)) from None
    episode.url = _one_value(fields.get("Canonical source")) or None
    episode.audio_url = _one_value(fields.get("Audio")) or None
    if f := fields.get("Summary"):
        episode.summary = _block(f)
    if f := fields.get("Topics"):
        episode.topics = _bullets(f)
    if f := fields.get("Highlights"):
        episode.highlights = _bullets(f)
    if f := fields.get("Chapters"):
        episode.chapters, chapter_warnings = finish_chapters(_chapters(f), episode.duration_s)
        warnings.extend(chapter_warnings)
    return episode, warnings


def _split_fields(text: str) -> tuple[dict[str, _Field], list[str]]:
    """Group lines under their labels; a value label takes the next non-empty line, a section runs to the next label."""
    lines = text.lstrip("\ufeff").splitlines()
    fields: dict[str, _Field] = {}
    warnings: list[str] = []
    current: _Field | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_label(line):
            label = line.strip()
            if label in fields:
                warnings.append(f"line {i + 1}: label {label!r} repeated; the later one is used")
            current = _Field(label, i + 1, [])
            fields[label] = current
            if label in VALUE_LABELS:
                j = i + 1
                while j < len(lines) and not lines[j].strip():
                    j += 1
                if j < len(lines) and not _is_label(lines[j]):
                    current.lines.append((j + 1, lines[j].strip()))
                    i = j
                current = None  # anything after the value line is outside every field
        elif current is not None:
            current.lines.append((i + 1, line.rstrip()))
        elif line.strip():
            warnings.append(f"line {i + 1}: text outside any field was ignored: {line.strip()[:60]!r}")
        i += 1
    return fields, warnings


def _is_label(line: str) -> bool:
    return line.strip() in _LABELS and not line[:1].isspace()


def _one_value(f: _Field | None) -> str:
    return f.lines[0][1] if f and f.lines else ""


def _where(f: _Field) -> str:
    line = f.lines[0][0] if f.lines else f.line
    return f"line {line}: {f.label}"


def _block(f: _Field) -> str:
    """Free text with its line breaks kept (a chapter list inside a summary needs them), common indent removed."""
    body = [text for _, text in f.lines]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    indent = min((len(t) - len(t.lstrip()) for t in body if t.strip()), default=0)
    return "\n".join(t[indent:] for t in body)


def _bullets(f: _Field) -> list[str]:
    items: list[str] = []
    for _, text in f.lines:
        if not text.strip():
            continue
        m = _BULLET.match(text)
        if m:
            items.append(m.group("text").strip())
        elif items and text[:1].isspace():
            items[-1] = f"{items[-1]} {text.strip()}"  # a wrapped bullet
        else:
            items.append(text.strip())
    return items


def _chapters(f: _Field) -> list[Chapter]:
    chapters: list[Chapter] = []
    for lineno, text in f.lines:
        if not text.strip():
            continue
        numbered = _BULLET.match(text)
        rest = numbered.group("text") if numbered else text
        timed = _TIME_FIRST.match(rest)
        if timed and not numbered and ":" not in timed.group("time"):
            timed = None  # an unnumbered line needs a clock time; "2024 was..." continues a description
        if numbered or timed:
            if not timed:
                raise InputError(f"a chapter line must start with its time, like \"1. 1:00 Title: description\"; "
                                 f"got {text.strip()!r}", where=f"line {lineno}: Chapters")
            try:
                start = parse_timestamp(timed.group("time"))
            except ValueError as exc:
                raise InputError(f"chapter time: {exc}", where=f"line {lineno}: Chapters") from None
            title, _, description = timed.group("rest").partition(": ")
            chapters.append(Chapter(index=0, title=title.strip(), start_s=start, description=description.strip()))
        elif chapters:
            last = chapters[-1]  # a wrapped description line
            chapters[-1] = Chapter(index=0, title=last.title, start_s=last.start_s,
                                   description=f"{last.description} {text.strip()}".strip())
        else:
            raise InputError(f"expected a chapter like \"1. 1:00 Title: description\", got {text.strip()!r}",
                             where=f"line {lineno}: Chapters")
    return chapters


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "episode"
