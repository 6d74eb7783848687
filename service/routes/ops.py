"""Operations: `GET /health` for load balancers and people, `GET /metrics` for Prometheus, and `GET /config`
for clients (the search page among them) that need the API's modes and limits."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from indexer.datamodel import PASSAGE_KINDS
from indexer.search.query import DEFAULT_MODE, MAX_K, MAX_OFFSET, MAX_QUERY_CHARS, MODES

from ..deps import MetricsDep, OptionalResourcesDep, load_error
from ..middleware.metrics import CONTENT_TYPE
from ..schemas.common import RATE_LIMITED
from ..schemas.ops import ApiConfig, Health, IndexCounts

router = APIRouter(tags=["operations"])


@router.get(
    "/health",
    summary="Is the index loaded, and which one",
    responses={503: {"model": Health, "description": "The index is not loaded (see error)"}},
)
async def health(resources: OptionalResourcesDep, request: Request, response: Response) -> Health:
    """200 with the index generation, model and counts; 503 with the reason while nothing is loaded.

    Async: it reads only what the lifespan stored (the counts were taken at load), so it answers even
    when every worker thread is busy searching.
    """
    if resources is None:
        response.status_code = 503
        return Health(status="unavailable", index_loaded=False, error=load_error(request))
    manifest = resources.manifest
    return Health(
        status="ok", index_loaded=True, generation=manifest.generation, model=resources.embedder.name,
        format_version=manifest.format_version, created=manifest.created, updated=manifest.updated,
        counts=IndexCounts.model_validate(resources.counts),
    )


@router.get("/config", summary="The search modes, passage kinds and limits this API accepts",
            responses=RATE_LIMITED)  # unlike /health and /metrics, /config is rate limited
async def config(request: Request) -> ApiConfig:
    """The choices and limits requests are checked against, as the library defines them: a client reads them
    here instead of copying them. Answers whether or not the index is loaded (nothing here depends on it)."""
    return ApiConfig(
        modes=list(MODES), default_mode=DEFAULT_MODE, passage_kinds=list(PASSAGE_KINDS), max_k=MAX_K,
        max_offset=MAX_OFFSET, max_query_chars=MAX_QUERY_CHARS,
        writes_enabled=bool(request.app.state.config.api_key),
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics (text exposition format)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text format"}},
)
async def metrics(metrics: MetricsDep, resources: OptionalResourcesDep) -> Response:
    """Request counts and latency per route template, in-flight requests, index size, process stats.

    Async like health: a scrape must not wait behind searches for a worker thread.
    """
    if resources is not None:
        metrics.observe_index(resources.counts)  # the index may have changed generation since the last scrape
    return Response(metrics.render(), media_type=CONTENT_TYPE)
