"""`python -m service --index DIR [--host 127.0.0.1] [--port 8000]`: serve an index and its search page.

Options override the `PODQUERY_*` environment (`PODQUERY_INDEX`, `PODQUERY_HOST`, `PODQUERY_PORT`, ...).
Exit status 2 when the options or the index are wrong, before anything is loaded.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from indexer.errors import PodqueryError
from indexer.index.manifest import Manifest

from .app import create_app
from .config import ServiceConfig
from .server import serve, serve_workers
from .state import limit_compute_threads, limit_malloc_arenas

EXIT_USAGE = 2


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m service", description="Serve a podquery index over HTTP.")
    parser.add_argument("--index", type=Path, help="index directory (default: $PODQUERY_INDEX)")
    parser.add_argument("--host", help="address to listen on (default: $PODQUERY_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: $PODQUERY_PORT or 8000)")
    parser.add_argument("--cors-origin", action="append", dest="cors_origins", metavar="ORIGIN",
                        help="an origin whose pages may call the API (repeatable; default: none)")
    parser.add_argument("--threads", type=int, help="torch/FAISS threads per search (default: $PODQUERY_THREADS or 1)")
    parser.add_argument("--workers", type=int, help="processes serving the index (default: $PODQUERY_WORKERS or 1)")
    parser.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"],
                        help="default: $PODQUERY_LOG_LEVEL or info")
    return parser.parse_args(argv)


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = ServiceConfig.from_env().with_overrides(
            index=args.index, host=args.host, port=args.port, log_level=args.log_level, threads=args.threads,
            workers=args.workers,
            cors_origins=tuple(args.cors_origins) if args.cors_origins else None,
        )
        if config.index is None:
            raise PodqueryError("no index: give --index DIR or set PODQUERY_INDEX")
        Manifest.read(config.index)  # a wrong path fails here, in a second, not after loading the model
    except PodqueryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=config.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"podquery: serving {config.index} on {url_for(config.host, config.port)}"
          + (f" with {config.workers} workers" if config.workers > 1 else ""), flush=True)
    limit_malloc_arenas()
    if config.workers > 1:
        serve_workers(config)  # each worker process builds its own app from the environment
        return 0
    limit_compute_threads(config.threads)
    serve(create_app(config), config)  # uvicorn, with deadlines for slow clients and a connection cap
    return 0


if __name__ == "__main__":
    sys.exit(main())
