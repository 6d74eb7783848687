"""JSON episode records (one object, an array of them, or JSON Lines): text in, `RecordJSON` out, no I/O.

The record format is documented, with an example carrying every field, in README.md (Corpus layout).
Paths a record names (`transcript`, `chapters`) are returned as written; the corpus loader resolves them
relative to the record file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import PurePath
from typing import Any

from indexer.datamodel import Chapter, Episode, Transcript, check_id, finish_chapters
from indexer.errors import InputError
from indexer.ingest.formats.json_transcript import segments_from_dicts
from indexer.ingest.jsonvalues import json_kind, json_seconds, load_json
from indexer.ingest.text import find_bad_char
from indexer.passages.timing import check_segments

log = logging.getLogger(__name__)

KNOWN_FIELDS = frozenset({
    "id", "guid", "podcast", "title", "published", "duration_s", "url", "audio_url", "summary",
    "topics", "highlights", "people", "chapters", "transcript",
})
# Human-style dates seen in show pages and record exports ("Sep 30, 2025"), tried after ISO and RFC 2822.
_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%Y/%m/%d")


@dataclass
class RecordJSON:
    """One parsed record: the episode plus what it points at (paths as written) or carries inline."""

    episode: Episode
    transcript_path: str | None = None
    chapters_path: str | None = None
    transcript: Transcript | None = None  # inline segments, when the record carries them
    warnings: list[str] = field(default_factory=list)
    where: str = ""  # "line 3" in a JSON Lines file, "item 2" in an array; "" for a lone object


def normalise_date(value: str) -> str:
    """ISO 8601 from an ISO date/date-time, an RFC 2822 date (feeds) or `Sep 30, 2025`; ValueError otherwise."""
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r} (use ISO 8601 like 2025-09-30, or an RFC 2822 date as in RSS)")


def parse_record_json(obj: Any, where: str = "", fallback_id: str = "") -> RecordJSON:
    """Read one record object; every bad field raises InputError naming it (`field chapters[2].start`)."""
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object (an episode record), got {json_kind(obj)}", where=where or None)
    _hint_if_not_a_record(obj, where)
    p = _Fields(obj, where)
    for key in sorted(set(obj) - KNOWN_FIELDS):
        log.debug("%s: ignoring unknown record field %r", where or "record", key)
    episode_id = (p.ident("id") or p.ident("guid")
                  or check_id(fallback_id, p.at("id"), "the id taken from the file name"))
    if not episode_id:
        raise InputError("no episode id: give the record an \"id\" or \"guid\"", where=p.at("id"))
    title = p.text("title")
    if not title.strip():
        raise InputError("missing: every record needs a title", where=p.at("title"))
    published = p.text("published") or None
    if published is not None:
        try:
            published = normalise_date(published)
        except ValueError as exc:
            raise InputError(str(exc), where=p.at("published")) from None
    duration = p.seconds("duration_s")
    episode = Episode(
        id=episode_id, podcast=p.text("podcast").strip(), title=title.strip(), published=published,
        duration_s=duration, url=p.text("url").strip() or None, audio_url=p.text("audio_url").strip() or None,
        summary=p.text("summary").strip(), topics=p.strings("topics"), highlights=p.strings("highlights"),
        people=p.people("people"),
    )
    record = RecordJSON(episode=episode, where=where)
    chapters = obj.get("chapters")
    if isinstance(chapters, str):
        record.chapters_path = p.path("chapters")
    elif chapters is not None:
        episode.chapters, record.warnings = finish_chapters(p.chapters("chapters"), duration)
    transcript = obj.get("transcript")
    if isinstance(transcript, str):
        record.transcript_path = p.path("transcript")
    elif isinstance(transcript, list):
        record.transcript = _inline_transcript(transcript, p.at("transcript"), duration)
    elif transcript is not None:
        raise InputError("expected a path (string) or an array of segments {start, end, speaker, text}, "
                         f"got {json_kind(transcript)}", where=p.at("transcript"))
    return record


def parse_records_text(text: str, name: str) -> list[RecordJSON | InputError]:
    """Records from a `.json` file (object or array) or `.jsonl` file; a bad JSON line fails alone.

    `name` is the file name: its suffix picks the form and its stem is the fallback id (`stem#line3`,
    `stem#item2`). Errors carry `where` but not the file; callers add it with `err.at(path)`.
    """
    stem = _stem(name)
    if name.lower().endswith(".jsonl"):
        out: list[RecordJSON | InputError] = []
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"line {lineno}"
            try:
                obj = load_json(line, line=where)
            except InputError as err:
                out.append(err)
                continue
            out.append(_guarded(obj, where, f"{stem}#line{lineno}"))
        return out
    try:
        data = load_json(text)
    except InputError as err:
        return [err]
    if isinstance(data, list):
        return [_guarded(obj, f"item {i}", f"{stem}#item{i}") for i, obj in enumerate(data, start=1)]
    return [_guarded(data, "", stem)]


def _inline_transcript(items: list[Any], where: str, duration_s: float | None) -> Transcript:
    """Segments carried in the record, sorted and checked like a transcript file's."""
    transcript = segments_from_dicts(items, where)
    transcript.segments, warnings = check_segments(transcript.segments, duration_s)
    transcript.warnings += warnings
    return transcript


def _guarded(obj: Any, where: str, fallback_id: str) -> RecordJSON | InputError:
    try:
        return parse_record_json(obj, where=where, fallback_id=fallback_id)
    except InputError as err:
        return err


def _stem(name: str) -> str:
    base = PurePath(name).name
    for suffix in (".jsonl", ".json"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return PurePath(base).stem


def _hint_if_not_a_record(obj: dict[str, Any], where: str) -> None:
    """Podcasting 2.0 chapters/transcript files share the .json suffix; say how to name them instead."""
    if "version" not in obj:
        return
    if isinstance(obj.get("segments"), list):
        raise InputError("this is a JSON transcript, not an episode record: name it EPISODE.transcript.json",
                         where=where or None)
    chapters = obj.get("chapters")
    if isinstance(chapters, list) and any(isinstance(c, dict) and "startTime" in c for c in chapters):
        raise InputError("this is a JSON chapters file, not an episode record: name it EPISODE.chapters.json",
                         where=where or None)


class _Fields:
    """Typed access to a record's fields; each getter raises InputError naming the field."""

    def __init__(self, obj: dict[str, Any], where: str) -> None:
        self.obj = obj
        self.where = where

    def at(self, name: str) -> str:
        return f"{self.where}: field {name}" if self.where else f"field {name}"

    def _bad(self, name: str, expected: str, value: Any) -> InputError:
        return InputError(f"expected {expected}, got {json_kind(value)}", where=self.at(name))

    def _checked(self, name: str, value: str) -> str:
        """`value`, unless it holds a NUL or a lone surrogate (JSON's `\\ud800` escape): SQLite cannot store the
        latter, so one such record used to stop a whole build with a UnicodeEncodeError."""
        if find_bad_char(value) is not None:
            raise InputError("contains a NUL byte or a lone surrogate (an escape such as \\ud800): not text",
                             where=self.at(name))
        return value

    def text(self, name: str) -> str:
        value = self.obj.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self._bad(name, "a string", value)
        return self._checked(name, value)

    def ident(self, name: str) -> str:
        value = self.obj.get(name)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self._bad(name, "a string or integer", value)
        return check_id(self._checked(name, str(value)).strip(), self.at(name))

    def path(self, name: str) -> str:
        value = self.text(name).strip()
        if not value:
            raise InputError("empty path", where=self.at(name))
        return value

    def seconds(self, name: str, value: Any = None, *, from_obj: bool = True) -> float | None:
        if from_obj:
            value = self.obj.get(name)
        return json_seconds(value, self.at(name), expected='seconds (a number) or "h:mm:ss"')

    def strings(self, name: str) -> list[str]:
        value = self.obj.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._bad(name, "an array of strings", value)
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self._bad(f"{name}[{i}]", "a string", item)
            if self._checked(f"{name}[{i}]", item).strip():
                out.append(item.strip())
        return out

    def people(self, name: str) -> list[str]:
        value = self.obj.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._bad(name, 'an array of names or {"name", "role"} objects', value)
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                person = item.get("name")
                if not isinstance(person, str) or not person.strip():
                    raise InputError("missing or not a string: a person object needs a name",
                                     where=self.at(f"{name}[{i}].name"))
                self._checked(f"{name}[{i}].name", person)
                role = item.get("role")
                if role is not None and not isinstance(role, str):
                    raise self._bad(f"{name}[{i}].role", "a string", role)
            elif isinstance(item, str):
                person = self._checked(f"{name}[{i}]", item)
            else:
                raise self._bad(f"{name}[{i}]", 'a name or a {"name", "role"} object', item)
            if person.strip() and person.strip() not in out:
                out.append(person.strip())
        return out

    def chapters(self, name: str) -> list[Chapter]:
        value = self.obj[name]
        if not isinstance(value, list):
            raise self._bad(name, "an array of chapters or a path to a chapters file", value)
        out = []
        for i, item in enumerate(value):
            here = f"{name}[{i}]"
            if not isinstance(item, dict):
                raise self._bad(here, 'a chapter object {"start", "title", "description"}', item)
            start = self.seconds(f"{here}.start", item.get("start"), from_obj=False)
            if start is None:
                raise InputError("missing: every chapter needs a start", where=self.at(f"{here}.start"))
            title = item.get("title")
            if not isinstance(title, str) or not title.strip():
                raise InputError(f"expected a non-empty string, got {json_kind(title)}",
                                 where=self.at(f"{here}.title"))
            description = item.get("description") or ""
            if not isinstance(description, str):
                raise self._bad(f"{here}.description", "a string", description)
            self._checked(f"{here}.title", title)
            self._checked(f"{here}.description", description)
            out.append(Chapter(index=0, title=title.strip(), start_s=start, description=description.strip()))
        return out
