"""`OPTIONS` and 405s that name every method a path supports, in `Allow`.

Starlette answers a method a path lacks with the methods of the first route whose path matches: `/episodes` is
two routes (GET lists, POST adds), so `PUT /episodes` said `Allow: GET`, and `OPTIONS` was a 405 too (issue 14).
Here every route whose path matches is asked: `OPTIONS` gets a 204 with the whole `Allow` (RFC 9110 section
9.3.7), any other method the path does not support a 405 with it, in the API's JSON error shape. Paths no route
matches, and methods a route takes, go on to the router unchanged. With CORS configured, preflight requests are
answered by CORSMiddleware outside this one and never get here.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

# the order methods are listed in `Allow`
_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class MethodsMiddleware:
    """Pure ASGI middleware: OPTIONS and unsupported methods answered with the path's full `Allow`."""

    def __init__(self, app: ASGIApp, routes: Iterable[BaseRoute]) -> None:
        self.app = app
        # mounts (the static files) answer their own methods; only plain routes are consulted
        self.routes = [route for route in routes if isinstance(route, Route) and route.methods]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # a dozen regular expressions: microseconds
        routes = [route for route in self.routes if route.path_regex.match(scope["path"])]
        served = {method for route in routes for method in route.methods or ()}
        method = scope["method"]
        if not served or method in served:  # no route here (404 comes next), or one that takes this method
            await self.app(scope, receive, send)
            return
        scope["route"] = routes[0]  # so metrics count it under the path's template, as the router would
        allowed = sorted(served | {"OPTIONS"}, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m))
        headers = {"Allow": ", ".join(allowed)}
        if method == "OPTIONS":
            await Response(status_code=204, headers=headers)(scope, receive, send)
        else:
            detail = f"{method} is not allowed here; this path supports {', '.join(allowed)}"
            await JSONResponse({"detail": detail}, status_code=405, headers=headers)(scope, receive, send)
