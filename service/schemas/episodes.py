"""Browsing and changing the index: `GET /episodes`, `GET /episodes/{id}`, `GET /podcasts`, and what
`POST /episodes` and `DELETE /episodes/{id}` report."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .common import blank_to_none

MAX_PAGE = 100


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
