"""What an answer is made of: verbatim quotes of passages, each with the second it is said and a link that plays
from there, and the check that every quote really is in the stored passage."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.passages.timing import second_at
from indexer.search.hits import ChapterRef, EpisodeRef, Hit
from indexer.timecode import audio_link, format_timestamp

NOT_FOUND = "Not found in these episodes."
_SPACE = re.compile(r"\s+")


@dataclass
class Citation:
    """A verbatim quote from one passage, with where it is said and a link that plays from there."""

    n: int
    passage_id: int
    quote: str
    start_s: float | None
    timestamp: str
    link: str | None
    episode: EpisodeRef
    chapter: ChapterRef | None
    kind: str


@dataclass
class Answer:
    question: str
    found: bool
    answer: str
    citations: list[Citation]
    passages: list[Hit]  # the closest passages: context for the answer, or what to show when not found
    answerer: str = "extractive"
    score: float = 0.0
    dropped_citations: int = 0
    took_ms: float = 0.0
    warnings: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def time_at(hit: Hit, offset: int) -> float | None:
    """Start second of the character at `offset` of a hit's text (`timing.second_at`)."""
    return second_at(hit.text, hit.segment_starts, offset, hit.start_s, hit.end_s)


def cite(n: int, hit: Hit, start: int, end: int) -> Citation:
    seconds = time_at(hit, start) if hit.start_s is not None else None
    return Citation(n=n, passage_id=hit.id, quote=hit.text[start:end].strip(), start_s=seconds,
                    timestamp=format_timestamp(seconds), link=audio_link(hit.episode.audio_url, seconds),
                    episode=hit.episode, chapter=hit.chapter, kind=hit.kind)


def verify(citations: list[Citation], stored_text: dict[int, str]) -> tuple[list[Citation], int]:
    """Keep citations whose quote occurs in the cited passage's stored text (whitespace-normalised)."""
    kept = [c for c in citations if c.quote and normalise(c.quote) in normalise(stored_text.get(c.passage_id, ""))]
    return kept, len(citations) - len(kept)
