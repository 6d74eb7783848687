"""Changing the index over HTTP: `POST /episodes` adds or replaces an episode, `DELETE /episodes/{id}` removes one.

Both need the API key (`PODQUERY_API_KEY`, sent as `X-API-Key`, compared in constant time); with no key
configured they answer 403 and change nothing. A posted record is read by the library first (a bad field is a 422
naming it), then held to the API's schema for it (schemas/records.py: what /openapi.json promises). Writes go
through the library's atomic writer, so a crash leaves the index as before or after; searches in flight keep the
generation they started on.
"""

from __future__ import annotations

import hmac
import json
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Request
from starlette.concurrency import run_in_threadpool

from indexer.datamodel import EpisodeSource
from indexer.errors import InputError
from indexer.index import updates as builder
from indexer.ingest.formats.record_json import parse_record_json

from ..deps import get_resources
from ..jsonbody import JSONRoute
from ..schemas.common import RATE_LIMITED, ErrorOut
from ..schemas.episodes import WriteResult
from ..schemas.records import EpisodeRecordIn
from ..state import Resources

# every route here is rate limited; bodies are read by jsonbody (refusals in the client's terms)
router = APIRouter(tags=["updates"], responses=RATE_LIMITED, route_class=JSONRoute)
_write_lock = threading.Lock()  # one writer per process; the index's file lock also guards against other processes

_AUTH: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorOut, "description": "Missing or wrong API key, or writes are off (no key configured)"}}


def require_api_key(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> None:
    """403 unless the request carries the configured key; always 403 when no key is configured."""
    configured = request.app.state.config.api_key
    if not configured:
        raise HTTPException(403, "writes are off: start the service with PODQUERY_API_KEY set to enable them")
    if x_api_key is None or not hmac.compare_digest(x_api_key.encode(), configured.encode()):
        raise HTTPException(403, "missing or wrong X-API-Key")


WriteAccess = Annotated[None, Depends(require_api_key)]
ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def _library_source(request: Request) -> EpisodeSource:
    """The body as the library reads it (a bad field is a 422 naming it: `field chapters[2].start: ...`).

    FastAPI has parsed it already for the route's `record` (JSONRequest keeps the result); BodyLimitMiddleware
    has capped its size (413). Reading a record is CPU work, done off the event loop."""
    try:
        data = await request.json()
    except json.JSONDecodeError as exc:  # only when sent without a JSON Content-Type: FastAPI did not parse it
        raise HTTPException(422, f"the body is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise HTTPException(422, "the body must be one episode record (a JSON object)")
    return await run_in_threadpool(_source, data)


def _source(data: dict) -> EpisodeSource:
    # JSON has one kind of number: an id of 42.0 is the integer 42 the schema allows (the library wants an int)
    data = {**data, **{key: int(value) for key, value in data.items()
                       if key in ("id", "guid") and isinstance(value, float) and value.is_integer()}}
    record = parse_record_json(data, where="body")  # InputError names the field -> 422
    # paths would read files on the server: over HTTP a record carries its transcript and chapters inline
    if record.transcript_path is not None:
        raise InputError("over HTTP the transcript must be inline segments [{start, end, speaker, text}], not a path",
                         where="field transcript")
    if record.chapters_path is not None:
        raise InputError("over HTTP chapters must be inline [{start, title, description}], not a path",
                         where="field chapters")
    return EpisodeSource(episode=record.episode, transcript=record.transcript, origin="POST /episodes",
                         warnings=record.warnings)


@router.post("/episodes", status_code=201, summary="Add or replace an episode (a JSON record, transcript inline)",
             responses={**_AUTH, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
def add_episode(_: WriteAccess, resources: ResourcesDep, source: Annotated[EpisodeSource, Depends(_library_source)],
                record: EpisodeRecordIn) -> WriteResult:
    """Same id as an indexed episode replaces it; unchanged passages keep their vectors. Searchable on return."""
    # `record` is the body held to the schema; what is written is the library's reading of it, `source`
    live = resources.live
    with _write_lock:
        report = builder.add_sources([source], live.path, live.settings, resources.embedder)
        live.refresh()
    return WriteResult(episode_id=source.episode.id, passages=report.passages, embedded=report.embedded,
                       generation=report.manifest.generation if report.manifest else "",
                       warnings=source.warnings + (source.transcript.warnings if source.transcript else []))


@router.delete("/episodes/{episode_id:path}", summary="Remove an episode and all its passages",
               responses={**_AUTH, 404: {"model": ErrorOut}})
def delete_episode(_: WriteAccess, resources: ResourcesDep,
                   episode_id: Annotated[str, Path(description="The episode id")]) -> WriteResult:
    """Removes the episode's passages from keyword and vector search together; 404 when it is not indexed."""
    live = resources.live
    with _write_lock:
        report = builder.remove([episode_id], live.path, live.settings, resources.embedder)  # NotFound -> 404
        live.refresh()
    return WriteResult(episode_id=episode_id, passages=report.removed, embedded=0,
                       generation=report.manifest.generation if report.manifest else "", warnings=[])
