"""Errors to HTTP statuses, in one place: the library's errors keep their messages, anything else is a 500.

Request validation -> 422 in FastAPI's shape, its echoed input cut short (in length and in depth: a value nested
hundreds deep once overflowed the encoder's stack into a 500) and lone surrogates replaced (a JSON body may spell
them as `\ud800` escapes, and UTF-8 cannot carry them back); a body that is not JSON says so and why
(jsonbody.py), and one that is not a JSON object at all (no JSON Content-Type) says what to send; QueryError and
InputError -> 422,
NotFound -> 404, IndexError_ -> 503 (the index is missing or does not match the model). The library's messages
reach clients without server paths (redact.py: names relative to the index); the log keeps them whole.
Any other exception is logged here with its traceback and answered with a generic 500: no trace, path or
exception text ever reaches a client.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from indexer.errors import IndexError_, InputError, NotFound, PodqueryError, QueryError

from .redact import public_message

log = logging.getLogger(__name__)

INTERNAL_ERROR = "internal error: the request could not be answered; the server log has the details"
MAX_ECHO_CHARS = 200  # of a rejected value, echoed in a 422: enough to recognise it, not a 10 MB body sent back
MAX_ECHO_DEPTH = 8  # levels of a rejected array or object echoed; deeper ones are shown as "…"
NOT_JSON = "the body must be a JSON object, sent with Content-Type: application/json"


def _echoable(value: Any, depth: int = 0) -> Any:
    """`value` safe to send back as JSON: strings cut to MAX_ECHO_CHARS, arrays and objects to MAX_ECHO_DEPTH levels,
    any lone surrogate made U+FFFD, bytes read as UTF-8, and NaN or Infinity (Python's json reads them in a body)
    spelled as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        cut = value if len(value) <= MAX_ECHO_CHARS else value[:MAX_ECHO_CHARS] + "…"
        return cut.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, (list, tuple, dict)) and depth >= MAX_ECHO_DEPTH:
        return "…"
    if isinstance(value, (list, tuple)):
        return [_echoable(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {_echoable(k, depth + 1): _echoable(v, depth + 1) for k, v in value.items()}
    return value


def _worded(error: dict[str, Any]) -> dict[str, Any]:
    """One of FastAPI's validation errors, said in the client's terms where FastAPI's own words are not."""
    if error.get("type") == "json_invalid":  # FastAPI's msg is "JSON decode error"; the reason is in ctx
        reason = (error.get("ctx") or {}).get("error", "")
        return {"type": "json_invalid", "loc": list(error.get("loc", ["body"])),
                "msg": f"the body is not valid JSON: {reason}", "input": {}}
    if tuple(error.get("loc", ())) == ("body",) and isinstance(error.get("input"), bytes):
        return {**error, "msg": NOT_JSON}  # FastAPI leaves a body it did not parse as JSON as bytes
    return error


def _public(request: Request, exc: Exception) -> str:
    """The exception's message as a client may read it: paths relative to the index, none absolute."""
    config = getattr(request.app.state, "config", None)  # set by create_app; absent in a bare test app
    return public_message(str(exc), config.index if config is not None else None)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # cut before encoding too: jsonable_encoder recurses once per level of the rejected value. depth -2: the list of
    # errors and each error are not levels of the value
    errors = _echoable([_worded(error) for error in exc.errors()], depth=-2)
    return JSONResponse({"detail": _echoable(jsonable_encoder(errors), depth=-2)}, status_code=422)


async def _query_error(request: Request, exc: Exception) -> JSONResponse:
    # the same shape as FastAPI's own 422s, so clients read one format
    return JSONResponse({"detail": [{"loc": ["query"], "msg": _public(request, exc), "type": "query_error"}]},
                        status_code=422)


async def _input_error(request: Request, exc: Exception) -> JSONResponse:
    # a posted record's bad field: InputError names it (`body:field chapters[2].start: ...`)
    return JSONResponse({"detail": [{"loc": ["body"], "msg": _public(request, exc), "type": "input_error"}]},
                        status_code=422)


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    log.debug("not found for %s: %s", request.url.path, exc)
    return JSONResponse({"detail": _public(request, exc)}, status_code=404)


async def _index_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.error("index unavailable for %s: %s", request.url.path, exc)
    return JSONResponse({"detail": f"the index is unavailable: {_public(request, exc)}"}, status_code=503,
                        headers={"Retry-After": "30"})


async def _library_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("podquery error answering %s", request.url.path, exc_info=exc)
    return JSONResponse({"detail": INTERNAL_ERROR}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Map the library's errors (Starlette picks the handler of the most specific class in the MRO)."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(QueryError, _query_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(IndexError_, _index_unavailable)
    app.add_exception_handler(PodqueryError, _library_error)


class CatchAllMiddleware:
    """The last line: log any unhandled exception with its traceback and answer a generic JSON 500.

    Starlette's own `Exception` handler runs outside every user middleware, so its 500 would carry no
    security headers and no metrics; catching here keeps both.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def track(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, track)
        except Exception:
            log.exception("unhandled error answering %s %s", scope.get("method"), scope.get("path"))
            if started:  # too late to change the status; let the server drop the connection
                raise
            response = JSONResponse({"detail": INTERNAL_ERROR}, status_code=500)
            await response(scope, receive, send)
