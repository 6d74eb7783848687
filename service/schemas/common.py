"""What several routes share: the passage filters, the episode and chapter a hit or quote points at, the error
body, and the request vocabulary (modes, passage kinds, limits) taken from the library rather than restated.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from indexer.datamodel import PASSAGE_KINDS
from indexer.search.filters import Filters
from indexer.search.query import MODES

if TYPE_CHECKING:
    # mypy cannot build a Literal from a tuple's values; to it a mode or kind is a str, which is what the
    # routes hand the library anyway
    Mode = str
    Kind = str
else:
    # built from the library's tuples, so the API's choices (and the OpenAPI enums) follow them
    Mode = Literal[MODES]
    Kind = Literal[PASSAGE_KINDS]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What str.strip() removes, spelled out: JSON Schema's regular expressions (ECMA) and pydantic's (Rust) disagree
# with Python and each other on `\s`, so schemas that must match the service's own checks name the characters.
SPACES = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK = f"[^{SPACES}]"  # as a JSON Schema pattern: holds a character that strip() keeps
# "No filter": an empty form field, or one of spaces. Only ASCII whitespace, which every regular-expression dialect
# (Python's, and JSON Schema's that clients check against) reads alike, so the schema states exactly what is blank.
_BLANK = r"[ \t\n\r\f\v]*"
BLANK_SCHEMA = {"type": "string", "pattern": f"^{_BLANK}$", "description": "Blank: no filter."}
# a day as text (the library filters on the string): checked by `_check_date`, documented as OpenAPI's `date`
DateText = Annotated[str, WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, BLANK_SCHEMA]})]
# a passage kind, documented with the blank that stands for "any kind"
KindFilter = Annotated[Kind, WithJsonSchema({"anyOf": [{"type": "string", "enum": list(PASSAGE_KINDS)},
                                                       BLANK_SCHEMA]})]


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
    return None if isinstance(value, str) and re.fullmatch(_BLANK, value) else value


class FilterParams(BaseModel):
    """Which passages may be returned: shared by `GET /search` and `POST /ask`."""

    podcast: str | None = Field(None, max_length=500, description="Only this podcast (exact name, any case).")
    episode: str | None = Field(None, max_length=500, description="Only this episode id.")
    speaker: str | None = Field(None, max_length=200, description="Only passages where this speaker talks.")
    kind: KindFilter | None = Field(None, description="Only this kind of passage.")
    after: DateText | None = Field(None, description="Published on or after this day (YYYY-MM-DD).",
                              examples=["2024-01-01"])
    before: DateText | None = Field(None, description="Published on or before this day (YYYY-MM-DD); not "
                                                       "before `after` (an empty range is a 422).",
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
    def _range(self) -> FilterParams:
        if self.after and self.before and self.after > self.before:
            raise ValueError(f"after ({self.after}) is later than before ({self.before}): no episode can match")
        return self

    def to_filters(self) -> Filters:
        """The library's Filters for these parameters."""
        return Filters(podcast=self.podcast, episode=self.episode, speaker=self.speaker, kind=self.kind,
                       after=self.after, before=self.before)


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


class ErrorOut(BaseModel):
    """Every error body: `detail` is a message, or for 422 a list of {loc, msg, type} naming each bad field."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"detail": "no episode 'nope' in this index"},
        {"detail": [{"loc": ["query", "k"], "msg": "Input should be less than or equal to 100",
                     "type": "less_than_equal"}]}]})
    detail: str | list[dict[str, object]]


# the `responses=` entry every route over the index shares (typed as FastAPI's parameter is)
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorOut, "description": "The index is not loaded"}}
# every route the per-client rate limit counts (all but /health and /metrics): see middleware/ratelimit.py
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "Too many requests from this client; retry after Retry-After seconds",
          "headers": {"Retry-After": {"description": "Seconds until the client may send again",
                                      "schema": {"type": "integer", "minimum": 1}}}}}
