"""How routes reach what the lifespan loaded: `Annotated[..., Depends(...)]` aliases that tests can override.

The getters are `async def` on purpose: they only read `app.state`, and a sync dependency would cost each
request an extra hop through the threadpool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from indexer.errors import IndexError_
from indexer.index.reader import Index
from indexer.search.searcher import Searcher

from .middleware.metrics import Metrics
from .state import Resources


async def get_optional_resources(request: Request) -> Resources | None:
    """The loaded resources, or None while the index is not loaded (health reports that instead of failing)."""
    return getattr(request.app.state, "resources", None)


def load_error(request: Request) -> str:
    """Why no index is loaded: the lifespan's error, or that loading has not finished."""
    return getattr(request.app.state, "load_error", None) or "the index is not loaded yet"


async def get_resources(resources: Annotated[Resources | None, Depends(get_optional_resources)],
                        request: Request) -> Resources:
    """The loaded resources; a 503 (via IndexError_) naming why when the index could not be loaded."""
    if resources is None:
        raise IndexError_(load_error(request))
    return resources


async def get_searcher(resources: Annotated[Resources, Depends(get_resources)]) -> Searcher:
    return resources.searcher


async def get_index(resources: Annotated[Resources, Depends(get_resources)]) -> Index:
    return resources.index


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


OptionalResourcesDep = Annotated[Resources | None, Depends(get_optional_resources)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
IndexDep = Annotated[Index, Depends(get_index)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
