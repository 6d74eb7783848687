"""A cap on the request body of every route: 413, in the API's JSON error shape, naming the limit.

Starlette's own `RequestBodyLimitMiddleware` lets the route run to its response before it refuses a declared
Content-Length (a GET /search with a 1 GB body would be searched first), and answers in plain text. Here a
declared length over the cap is refused before anything runs, and a chunked body is counted as it is read:
the read that passes the cap raises an HTTPException, which FastAPI turns into the same JSON 413.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """Pure ASGI middleware: no request body may be longer than `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def detail(self) -> str:
        return f"the request body is over the {self.max_bytes} byte limit (PODQUERY_MAX_BODY_BYTES)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await JSONResponse({"detail": self.detail()}, status_code=413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, self.detail())
            return message

        await self.app(scope, counted, send)
