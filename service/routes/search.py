"""`GET /search`: the library's ranked moments as JSON.

Sync on purpose: FastAPI runs it in its threadpool, where the Searcher's shared read-only SQLite connection
and FAISS reads are safe, and a slow search never blocks the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..deps import SearcherDep
from ..schemas.common import RATE_LIMITED, UNAVAILABLE, ErrorOut
from ..schemas.search import HitOut, SearchParams, SearchResponse

router = APIRouter(tags=["search"], responses=RATE_LIMITED)  # every route here is rate limited


@router.get(
    "/search",
    summary="Find the moments that match a query",
    responses={422: {"model": ErrorOut, "description": "A parameter is missing or out of range"}, **UNAVAILABLE},
)
def search(params: Annotated[SearchParams, Query()], searcher: SearcherDep) -> SearchResponse:
    """Hits ranked best first, each with its episode, chapter, the second to play from and a link that does."""
    result = searcher.search(params.q, k=params.k, mode=params.mode, filters=params.to_filters(), offset=params.offset,
                             group_by_episode=params.group_by_episode)
    return SearchResponse(
        query=result.query, mode=params.mode, k=params.k, offset=params.offset, took_ms=result.took_ms,
        hits=[HitOut.model_validate(hit) for hit in result.hits],
    )
