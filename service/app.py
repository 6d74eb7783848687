"""`create_app`: the FastAPI app, with the index and model loaded once per process in its lifespan.

Middleware, outermost first: CORS (only when origins are configured), security headers, metrics, the
catch-all 500, the per-client rate limit (429), the request-body cap (413), the body's deadline (408), and the
methods a path supports (OPTIONS, 405 with the whole `Allow`). The headers and metrics sit outside the catch-all
so even a crash's answer carries both; the limits sit inside it so their refusals do too. Deadlines on the
headers and the connection cap are the server's (server.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from indexer import __version__
from indexer.errors import PodqueryError
from indexer.index.embedding import Embedder

from .config import ServiceConfig
from .errors import CatchAllMiddleware, install_error_handlers
from .middleware.bodylimit import BodyLimitMiddleware
from .middleware.methods import MethodsMiddleware
from .middleware.metrics import Metrics, MetricsMiddleware
from .middleware.ratelimit import RateLimitMiddleware
from .middleware.readtimeout import BodyDeadlineMiddleware
from .middleware.security import SecurityHeadersMiddleware
from .routes import ask, episodes, ops, search, writes
from .state import Resources, load_resources

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
DESCRIPTION = """Search podcast transcripts for the moment something was said: each hit names its podcast, episode
and chapter, and carries the second to start playing from and a link that does."""


def _lifespan(config: ServiceConfig, metrics: Metrics, embedder: Embedder | None
              ) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Load the model and the index once at startup (off the event loop), close them at shutdown. A failed
    load leaves `app.state.load_error` for `/health` and the 503s instead of stopping the process."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resources: Resources | None = None
        app.state.resources = None
        app.state.load_error = None
        try:
            # off the event loop: loading the model takes seconds of CPU
            resources = await run_in_threadpool(load_resources, config, embedder)
        except PodqueryError as exc:
            log.error("the index is not loaded: %s", exc)
            app.state.load_error = str(exc)
            metrics.index_loaded.set(0)
        else:
            app.state.resources = resources
            metrics.observe_index(resources.counts)
        try:
            yield
        finally:
            if resources is not None:
                resources.close()

    return lifespan


def create_app(config: ServiceConfig | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """The service for `config` (default: from the environment).

    `embedder` is an already-loaded model to use instead of loading `config.settings.model` (tests share one).
    When the index cannot be loaded the app still starts: `/health` answers 503 with the reason and the
    search routes 503, so a supervisor sees why instead of a crash loop.
    """
    config = config or ServiceConfig.from_env()
    metrics = Metrics()
    lifespan = _lifespan(config, metrics, embedder)
    app = FastAPI(
        title="podquery", version=__version__, description=DESCRIPTION, lifespan=lifespan,
        # Swagger UI and ReDoc load their code from a CDN, which the page's CSP (and offline use) forbid;
        # the schema itself stays at /openapi.json
        docs_url=None, redoc_url=None,
    )
    app.state.config = config
    app.state.metrics = metrics
    routers = (search.router, episodes.router, writes.router, ops.router, ask.router)
    for router in routers:
        app.include_router(router)
    install_error_handlers(app)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        """The search page: static HTML that calls the JSON API."""
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # add_middleware puts each new one outermost
    app.add_middleware(MethodsMiddleware, routes=[*app.routes, *(route for r in routers for route in r.routes)])
    app.add_middleware(BodyDeadlineMiddleware, seconds=config.body_timeout)
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, reads=config.rate_limit, writes=config.write_rate_limit)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(SecurityHeadersMiddleware)
    if config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins), allow_methods=["GET"],
                           allow_headers=[], max_age=600)
    return app
