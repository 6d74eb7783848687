"""What a search returns: ranked moments (passage, episode, chapter, the second to play) and why they ranked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from indexer.index.records import StoredPassage
from indexer.passages.timing import seek_second
from indexer.search.fusion import Fused
from indexer.search.highlight import snippet
from indexer.timecode import audio_link, format_timestamp


@dataclass
class EpisodeRef:
    id: str
    title: str
    podcast: str
    published: str | None
    url: str | None
    audio_url: str | None


@dataclass
class ChapterRef:
    index: int
    title: str
    start_s: float | None


@dataclass
class Hit:
    """One ranked moment: the passage, where it is, how to play it, and why it ranked."""

    id: int
    score: float
    kind: str
    text: str
    snippet: str
    start_s: float | None
    end_s: float | None
    seek_s: float | None  # start of the segment that best matches the query; what `link` plays from
    timestamp: str
    link: str | None
    time_estimated: bool
    speakers: list[str]
    episode: EpisodeRef
    chapter: ChapterRef | None
    explain: dict[str, dict[str, float]] = field(default_factory=dict)
    segment_starts: list[tuple[int, float]] = field(default_factory=list, repr=False)


@dataclass
class SearchResult:
    query: str
    mode: str
    hits: list[Hit]
    took_ms: float


def make_hit(passage: StoredPassage, fused: Fused, terms: list[str], seek_score: Callable[[str], float],
             seek_window_s: float = 10.0) -> Hit:
    """The hit for a stored passage: snippet and link for these query terms, the seek second where `seek_score`
    (how well a piece of text matches the query) is highest, and the explanation."""
    starts = list(passage.segment_starts)
    seek = seek_second(passage.text, starts, seek_score, seek_window_s) if starts else None
    if seek is None:
        seek = passage.start_s
    chapter = None
    if passage.chapter_index is not None:
        chapter = ChapterRef(passage.chapter_index, passage.chapter_title or "", passage.chapter_start_s)
    return Hit(
        id=passage.id, score=round(fused.score, 6), kind=passage.kind, text=passage.text,
        snippet=snippet(passage.text, terms), start_s=passage.start_s, end_s=passage.end_s, seek_s=seek,
        timestamp=format_timestamp(seek), link=audio_link(passage.audio_url, seek),
        time_estimated=passage.time_estimated, speakers=list(passage.speakers),
        episode=EpisodeRef(passage.episode_id, passage.episode_title, passage.podcast, passage.published,
                           passage.episode_url, passage.audio_url),
        chapter=chapter,
        explain={name: {"rank": rank, "score": round(raw, 4)} for name, (rank, raw) in fused.found_by.items()},
        segment_starts=starts,
    )
