"""How routes reach what the lifespan loaded: `Annotated[..., Depends(...)]` aliases that tests can override.

The getters are `async def` on purpose: they only read `app.state`, and a sync dependency would cost each
request an extra hop through the threadpool. The searcher and the index are leased for the whole request:
FastAPI ends a `yield` dependency after the response has been sent (a streamed answer included), and a
generation a writer has replaced closes when its last lease ends (LiveSearcher).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from indexer.errors import IndexError_
from indexer.index.reader import Index
from indexer.search.searcher import Searcher

from .middleware.metrics import Metrics
from .redact import public_message
from .state import Resources


async def get_optional_resources(request: Request) -> Resources | None:
    """The loaded resources, or None while the index is not loaded (health reports that instead of failing)."""
    return getattr(request.app.state, "resources", None)


def load_error(request: Request) -> str:
    """Why no index is loaded: the lifespan's error (without server paths: clients read it), or that loading
    has not finished."""
    error = getattr(request.app.state, "load_error", None) or "the index is not loaded yet"
    return public_message(error, request.app.state.config.index)


async def get_resources(resources: Annotated[Resources | None, Depends(get_optional_resources)],
                        request: Request) -> Resources:
    """The loaded resources; a 503 (via IndexError_) naming why when the index could not be loaded."""
    if resources is None:
        raise IndexError_(load_error(request))
    return resources


async def get_searcher(resources: Annotated[Resources, Depends(get_resources)]) -> AsyncIterator[Searcher]:
    """The current generation's Searcher, leased until the response has been sent."""
    with resources.live.lease() as searcher:
        yield searcher


async def get_index(resources: Annotated[Resources, Depends(get_resources)]) -> AsyncIterator[Index]:
    """The current generation's Index, leased until the response has been sent."""
    with resources.live.lease() as searcher:
        yield searcher.index


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


OptionalResourcesDep = Annotated[Resources | None, Depends(get_optional_resources)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
IndexDep = Annotated[Index, Depends(get_index)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
