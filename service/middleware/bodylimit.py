"""A cap on the request body of every route: 413, in the API's JSON error shape, naming the limit.

Starlette's own `RequestBodyLimitMiddleware` lets the route run to its response before it refuses a declared
Content-Length (a GET /search with a 1 GB body would be searched first), and answers in plain text. Here a
declared length over the cap is refused before anything runs, and a chunked body is counted as it is read:
the read that passes the cap raises an HTTPException, which FastAPI turns into the same JSON 413.

A request that declares both `Content-Length` and `Transfer-Encoding` is refused with a 400 before anything runs:
a proxy in front and this server could disagree on where its body ends, and the bytes one of them takes for the
next request would be smuggled past the proxy (RFC 9112 section 6.1 lets a server refuse such a message).
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
        headers = Headers(scope=scope)
        if "content-length" in headers and "transfer-encoding" in headers:
            detail = "the request has both Content-Length and Transfer-Encoding: send one of them"
            # and close the connection: whatever follows on it cannot be trusted to be a request of its own
            await JSONResponse({"detail": detail}, status_code=400, headers={"Connection": "close"})(
                scope, receive, send)
            return
        declared = headers.get("content-length", "")
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
