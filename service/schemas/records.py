"""`POST /episodes`'s body: one episode record, transcript and chapters inline, as the API states and accepts it.

The record format is the library's (README, "Example record"; indexer/ingest/formats/record_json.py), and the
library reads more than a JSON Schema can state exactly: dates in RFC 2822 or "Sep 30, 2025", times such as
"90:00", unknown fields ignored. Over HTTP a record is what this model describes and no more, so the schema
in /openapi.json is exactly what the route takes: a client generating bodies from it is never refused, and
anything outside it is (schemathesis checks both ways). The route runs the library's own reading first (its
messages name the field, `field chapters[2].start: ...`), then this model, which refuses the rest in FastAPI's
422 shape. Each constraint below is one the library also holds (or a narrower one), so the two never disagree
about a body the schema allows.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from indexer.datamodel import MAX_ID_CHARS
from indexer.timecode import MAX_SECONDS

from .common import SPACES

_CONTROLS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"  # an id holds none (datamodel.check_id: categories Cc, Zl, Zp)
# h:mm:ss(.fff) within 48 hours, or m:ss(.fff) up to 999 minutes: a subset of what timecode.parse_timestamp reads
_CLOCK = r"^(?:(?:[0-9]|[0-3][0-9]|4[0-7]):[0-5]?[0-9]|[0-9]{1,3}):[0-5][0-9](?:\.[0-9]{1,3})?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATE_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})$"

Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]  # the library refuses NUL in any text
# text that str.strip() does not empty (the library's test for a title or a name)
Named = Annotated[str, Field(pattern=rf"^[^\x00]*[^\x00{SPACES}][^\x00]*$", description="Not blank.")]
Ident = Annotated[str, Field(max_length=MAX_ID_CHARS,
                             pattern=rf"^[^{_CONTROLS}]*[^{_CONTROLS}{SPACES}][^{_CONTROLS}]*$")]


def _whole(value: Any) -> Any:
    """42.0 as 42: JSON Schema's integers include it (the route hands the library the int too: writes.py)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# integer ids within ±10^15, which a JSON number (a double) holds exactly, so bounds read alike everywhere
Integer = Annotated[int, Field(ge=-(10**15), le=10**15), BeforeValidator(_whole)]
EpisodeId = Annotated[Ident | Integer, Field(description=(
    f"Printable text that is not blank, at most {MAX_ID_CHARS} characters, or an integer."))]
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS)]
Clock = Annotated[str, Field(pattern=_CLOCK)]
Time = Annotated[Seconds | Clock, Field(description=f"Seconds (0 to {MAX_SECONDS}), or \"h:mm:ss\" / \"mm:ss\".")]


def _published(value: str) -> str:
    """An RFC 3339 date or date-time that Python reads (as the library will), else ValueError."""
    try:
        if re.fullmatch(_DATE, value):
            date.fromisoformat(value)
            return value
        if re.fullmatch(_DATE_TIME, value):
            datetime.fromisoformat(value)
            return value
    except ValueError:
        pass
    raise ValueError("must be a date (2025-09-30) or a date-time (2025-09-30T09:00:00Z)")


Published = Annotated[str, AfterValidator(_published), WithJsonSchema({"anyOf": [
    {"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]})]


class _Strict(BaseModel):
    """JSON types as stated (no "5" for 5, no 1 for true) and no fields besides the documented ones."""

    model_config = ConfigDict(strict=True, extra="forbid")


class SegmentIn(_Strict):
    """One stretch of speech: its start (and end), its words, who said them."""

    start: Time
    end: Time | None = None
    text: Text
    speaker: Text | None = None


class ChapterIn(_Strict):
    start: Time
    title: Named
    description: Text | None = None


class PersonIn(_Strict):
    name: Named
    role: Text | None = None


class EpisodeRecordIn(_Strict):
    """`POST /episodes` body. The same `id` as an indexed episode replaces it."""

    model_config = ConfigDict(json_schema_extra={
        "anyOf": [{"required": ["id"]}, {"required": ["guid"]}],
        "examples": [{
            "id": "ep-042", "podcast": "The Example Show", "title": "Search that finds the moment",
            "published": "2025-09-30", "duration_s": "1:05:03", "audio_url": "https://example.com/audio/42.mp3",
            "chapters": [{"start": 0, "title": "Intro"}, {"start": "12:30", "title": "Hybrid search"}],
            "transcript": [{"start": 0, "end": 12.5, "speaker": "Ada", "text": "Welcome to the show."}]}]})
    # absent, not null: the library falls back from a missing id to the guid
    id: EpisodeId | SkipJsonSchema[None] = Field(None, description="The episode's identity (or give `guid`).")
    guid: EpisodeId | SkipJsonSchema[None] = Field(None, description="Used as the id when `id` is absent.")
    title: Named
    podcast: Text | None = None
    published: Published | None = None
    duration_s: Time | None = None
    url: Text | None = Field(None, description="The episode's own page.")
    audio_url: Text | None = Field(None, description="The audio file; hits link to audio_url#t=SECONDS.")
    summary: Text | None = None
    topics: list[Text] | None = None
    highlights: list[Text] | None = None
    people: list[Text | PersonIn] | None = Field(None, description="Names, or {name, role} objects.")
    chapters: list[ChapterIn] | None = None
    transcript: list[SegmentIn] | None = Field(None, description="The segments, inline (a path is not read "
                                                                  "over HTTP); sorted and checked on arrival.")

    @field_validator("id", "guid", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("give a string or an integer, or leave the field out")
        return value

    @model_validator(mode="after")
    def _identified(self) -> EpisodeRecordIn:
        if self.id is None and self.guid is None:
            raise ValueError('no episode id: give the record an "id" or "guid"')
        return self
