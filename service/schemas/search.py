"""`GET /search`: its query parameters and its answer, a page of ranked moments."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from indexer.search.query import DEFAULT_MODE, MAX_K, MAX_OFFSET, MAX_QUERY_CHARS

from .common import NOT_BLANK, ChapterRefOut, EpisodeRefOut, FilterParams, Mode


class SearchParams(FilterParams):
    """`GET /search` query parameters."""

    # the pattern states `_query`'s check in the schema (a message saying the query is empty beats a regex)
    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="Words to search for.",
                   examples=["secure enclaves"], json_schema_extra={"pattern": NOT_BLANK})
    k: int = Field(10, ge=1, le=MAX_K, description="How many hits to return.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Hits to skip (for the next page).")
    mode: Mode = Field(DEFAULT_MODE, description="keyword (BM25), semantic (embeddings) or hybrid (both, fused).")
    group_by_episode: bool = Field(False, description="At most one hit (the best) per episode.")

    @field_validator("q")
    @classmethod
    def _query(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is empty: type some words to search for")
        return value


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
