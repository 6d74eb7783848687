"""A deadline on reading the request body: the whole body within `PODQUERY_BODY_TIMEOUT` seconds, or a 408.

A client that sends its headers and then trickles the body would otherwise keep a route (and its worker) waiting
for as long as it likes. The deadline runs from the moment the app gets the request (its headers are in) until
the last byte of the body; the read that passes it raises an HTTPException, which FastAPI turns into a JSON 408
as it does BodyLimitMiddleware's 413. The 408 carries `Connection: close`: the rest of that body is not wanted.
Once the body is complete, reads (Starlette's wait for a client disconnect while streaming) are not bounded.

The server cuts the connection a moment later in any case (server.py): this middleware only gives a route that
was reading a clear answer.
"""

from __future__ import annotations

import asyncio

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyDeadlineMiddleware:
    """Pure ASGI middleware: a request's body must arrive whole within `seconds` of its headers."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.seconds
        complete = False

        async def bounded() -> Message:
            nonlocal complete
            if complete:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(408, f"the request body took over {self.seconds:g} s to arrive "
                                         "(PODQUERY_BODY_TIMEOUT)", headers={"Connection": "close"}) from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        await self.app(scope, bounded, send)
