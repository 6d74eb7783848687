"""The one data model the whole project shares: episodes, chapters, transcript segments and passages."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from indexer.errors import InputError

PASSAGE_KINDS = ("transcript", "summary", "highlight", "chapter")
# An id is a key in URLs (`DELETE /episodes/{id}`), CLI arguments and log lines: a 300,000-character id made an
# episode impossible to remove, so ids are capped where they enter (records, feeds, file names).
MAX_ID_CHARS = 256
# Controls (C0, DEL, C1), lone surrogates and line/paragraph separators: they break log lines, headers and paths.
_UNPRINTABLE = frozenset({"Cc", "Cs", "Zl", "Zp"})


@dataclass(frozen=True)
class Segment:
    """One cue or speaker turn of a transcript. `end_s` is None when the source gives only starts."""

    start_s: float
    end_s: float | None
    text: str
    speaker: str | None = None
    time_estimated: bool = False


@dataclass(frozen=True)
class Chapter:
    """A chapter as published; `end_s` is the next chapter's start (or the episode's end when known)."""

    index: int
    title: str
    start_s: float
    end_s: float | None = None
    description: str = ""


@dataclass
class Transcript:
    """Segments in time order plus what was noticed (and repaired) while reading them."""

    segments: list[Segment]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Episode:
    """Episode metadata. `id` is the identity: the record id, else the feed guid, else the file stem."""

    id: str
    podcast: str = ""
    title: str = ""
    published: str | None = None  # ISO 8601 date or date-time, normalised by the readers
    duration_s: float | None = None
    url: str | None = None
    audio_url: str | None = None
    summary: str = ""
    topics: list[str] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)
    people: list[str] = field(default_factory=list)  # hosts and guests the source names


def check_id(value: str, where: str | None = None, what: str = "the episode id") -> str:
    """`value` if it can be an episode id: at most MAX_ID_CHARS characters, none of them a control character.

    Otherwise InputError at `where` (the field or file name the id came from); `what` names the id in the message.
    """
    if len(value) > MAX_ID_CHARS:
        raise InputError(f"{what} is {len(value):,} characters long; the limit is {MAX_ID_CHARS}", where=where)
    bad = next((c for c in value if unicodedata.category(c) in _UNPRINTABLE), None)
    if bad is not None:
        raise InputError(f"{what} contains the control character U+{ord(bad):04X}: an id must be printable text",
                         where=where)
    return value


@dataclass
class EpisodeSource:
    """One episode as read from disk or a feed: metadata, its transcript if any, and warnings to report."""

    episode: Episode
    transcript: Transcript | None = None
    origin: str = ""  # the file (or feed item) it came from, for messages
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Passage:
    """A unit of search: spoken words (or summary, highlight, chapter text) with where they sit in the audio.

    `segment_starts` holds (character offset in `text`, start second) for each segment that starts inside the passage,
    so a hit or a quote can seek to the sentence rather than the passage start.
    """

    episode_id: str
    kind: str
    text: str
    start_s: float | None
    end_s: float | None
    chapter_index: int | None = None
    chapter_title: str | None = None
    speakers: tuple[str, ...] = ()
    time_estimated: bool = False
    segment_starts: tuple[tuple[int, float], ...] = ()

    @cached_property  # a writer asks several times per passage; the fields never change (frozen)
    def content_hash(self) -> str:
        """Stable hash of everything that changes the passage's embedding or display."""
        h = hashlib.sha256()
        for part in (self.episode_id, self.kind, self.text, repr(self.start_s), repr(self.end_s),
                     repr(self.chapter_index), self.chapter_title or "", "|".join(self.speakers),
                     repr(self.time_estimated), repr(self.segment_starts)):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()[:32]


def finish_chapters(chapters: list[Chapter], duration_s: float | None) -> tuple[list[Chapter], list[str]]:
    """Sort chapters by start, number them from 0 and set each end to the next start (or the duration).

    Sorting is the only repair: chapters past the duration are kept but reported.
    """
    warnings: list[str] = []
    ordered = sorted(chapters, key=lambda c: c.start_s)
    if [c.start_s for c in ordered] != [c.start_s for c in chapters]:
        warnings.append("chapters were out of order; sorted by start time")
    out: list[Chapter] = []
    for i, ch in enumerate(ordered):
        end = ordered[i + 1].start_s if i + 1 < len(ordered) else duration_s
        if duration_s is not None and ch.start_s > duration_s:
            warnings.append(f"chapter {ch.title!r} starts at {ch.start_s:g}s, past the duration {duration_s:g}s")
            end = None
        out.append(Chapter(index=i, title=ch.title, start_s=ch.start_s, end_s=end, description=ch.description))
    return out, warnings


def chapter_at(chapters: list[Chapter], seconds: float | None) -> Chapter | None:
    """The chapter whose span holds `seconds` (chapters sorted, as `finish_chapters` leaves them)."""
    if seconds is None:
        return None
    found = None
    for ch in chapters:
        if ch.start_s <= seconds:
            found = ch
        else:
            break
    return found
