"""What an index hands out when read: plain records, so no caller outside `indexer/index/` sees a database row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


@dataclass(frozen=True)
class StoredPassage:
    """A passage as stored, with the display fields of its episode and the start of its chapter."""

    id: int
    episode_id: str
    kind: str
    text: str
    start_s: float | None
    end_s: float | None
    chapter_index: int | None
    chapter_title: str | None
    chapter_start_s: float | None
    speakers: tuple[str, ...]
    time_estimated: bool
    segment_starts: tuple[tuple[int, float], ...]
    episode_title: str
    podcast: str
    published: str | None
    episode_url: str | None
    audio_url: str | None
    duration_s: float | None = None  # the episode's


@dataclass(frozen=True)
class EpisodeListing:
    """One line of an episode list: metadata and how many passages and chapters the episode has."""

    id: str
    podcast: str
    title: str
    published: str | None
    duration_s: float | None
    url: str | None
    audio_url: str | None
    passages: int
    chapters: int


@dataclass(frozen=True)
class PodcastListing:
    """A podcast in the index: its name, episode count and latest publication date."""

    name: str
    episodes: int
    latest: str | None


class IndexCounts(TypedDict):
    """How much an index holds (`Index.counts()`); the manifest keeps a copy as plain JSON."""

    tombstones: int  # removed passages whose vectors wait for `compact` (HNSW cannot remove)
    episodes: int
    podcasts: int
    passages: int
    passages_by_kind: dict[str, int]
