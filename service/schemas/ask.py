"""`POST /ask`'s body and answer, typed for the API's edge (a citation points at episodes and chapters as hits do,
and a not-found answer carries hits: those models are in common.py and search.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from indexer.search.query import MAX_QUERY_CHARS

from .common import NOT_BLANK, ChapterRefOut, EpisodeRefOut, FilterParams
from .search import HitOut

MAX_ASK_K = 20  # passages read for one answer; more only slows the answer (and a model's prompt) down


class AskFilters(FilterParams):
    """Which passages an answer may come from: the same filters as `GET /search`."""

    model_config = ConfigDict(extra="forbid")


class AskRequest(BaseModel):
    """`POST /ask` body."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"question": "What hardware runs code on data the cloud cannot see?", "k": 6,
         "filters": {"podcast": "AI Talk"}}]})
    # the pattern states `_question`'s check in the schema
    question: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="The question, in words.",
                          json_schema_extra={"pattern": NOT_BLANK})
    k: int = Field(6, ge=1, le=MAX_ASK_K, description="How many passages to read for the answer.")
    filters: AskFilters = Field(default_factory=AskFilters)

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty: type a question to answer")
        return value


class CitationOut(BaseModel):
    """A verbatim quote from one passage: where it was said, and a link that plays from the quote's start."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "n": 1, "passage_id": 12, "quote": "Secure enclaves let a cloud run your code on data it can never read.",
        "start_s": 30.0, "timestamp": "0:30", "link": "https://example.com/a.mp3#t=30",
        "episode": {"id": "enclave", "title": "Private AI with Illia", "podcast": "AI Talk",
                    "published": "2025-09-30", "url": "https://example.com/ep/enclave",
                    "audio_url": "https://example.com/a.mp3"},
        "chapter": {"index": 1, "title": "Secure Enclaves", "start_s": 30.0}, "kind": "transcript"}]})
    n: int = Field(description="Its number: the order for extractive answers; for a model's answer, the "
                               "passage number its text cites as [n].")
    passage_id: int
    quote: str = Field(description="The passage's own words, checked against the stored text.")
    start_s: float | None = Field(description="Second the quote starts (None for summaries and highlights).")
    timestamp: str = Field(description="start_s for people, e.g. 1:02:03.")
    link: str | None = Field(description="audio_url#t=start_s: plays from the quote.")
    episode: EpisodeRefOut
    chapter: ChapterRefOut | None
    kind: str = Field(description="transcript, summary, highlight or chapter.")


class AnswerOut(BaseModel):
    """`POST /ask`: an answer backed by verified citations, or "Not found in these episodes." with the
    closest passages."""

    model_config = ConfigDict(from_attributes=True)
    question: str
    found: bool
    answer: str = Field(description="The answer (the first quote, or a model's reply with its unverified quotes "
                                    "cut), or the not-found line.")
    citations: list[CitationOut]
    dropped_citations: int = Field(description="Quotes left out because they were not verbatim in their passage.")
    passages: list[HitOut] = Field(description="The passages read: context, or what to show when not found.")
    answerer: Literal["extractive", "llm"]
    score: float = Field(description="Extractive: the cosine to the question of the closest sentence read; llm: "
                                     "the share of the model's quotes that were verified.")
    took_ms: float
    warnings: list[str] = Field(description="e.g. that the language model failed and the answer is extractive.")


def _event(name: str, description: str, data: dict[str, object]) -> dict[str, object]:
    """One kind of server-sent event, as a client's SSE parser hands it over: its `event` name and its `data` line,
    which is JSON of the shape `data`."""
    return {"type": "object", "title": f"{name} event", "description": description, "required": ["event", "data"],
            "properties": {"event": {"const": name},
                           "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": data}}}


# `POST /ask?stream=true`: the schema describes one event (OpenAPI 3.1 has no separate schema for a stream's items)
STREAM_DOC: dict[str, object] = {"text/event-stream": {
    "schema": {"description": "Server-sent events: `token`s while a model writes, then exactly one `answer` "
                              "(or one `error`). Each `data` line is one JSON value.",
               "oneOf": [
                   _event("token", "A piece of a language model's reply, in order (none from the extractive "
                                   "answerer); the `answer` event replaces them.",
                          {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}),
                   _event("answer", "Always last, exactly once: the same JSON as the plain response.",
                          {"$ref": "#/components/schemas/AnswerOut"}),
                   _event("error", "Instead of `answer`, when something broke after the stream began.",
                          {"$ref": "#/components/schemas/ErrorOut"})]},
    "example": ('event: token\ndata: {"text": "Secure"}\n\n'
                'event: answer\ndata: {"question": "...", "found": true, ...}\n\n')}}
