"""JSON request bodies, read once and refused in the client's terms.

Python's `json` fails on some bodies with its own internals: a 5,000-digit number ("Exceeds the limit (4300
digits) for integer string conversion ... use sys.set_int_max_str_digits()"), arrays nested 10,000 deep
("maximum recursion depth exceeded"), bytes that are not UTF-8. FastAPI turned those into a bare 400 ("There was
an error parsing the body") and a route parsing its own body echoed them (issue 14). `loads` raises each as a
`json.JSONDecodeError` saying what is wrong with the body, which FastAPI answers as a 422 `json_invalid` like any
syntax error (errors.py words it). `JSONRoute` makes the routes of a router read bodies through it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


def loads(body: bytes | str) -> Any:
    """`json.loads(body)`; any failure a JSONDecodeError whose message names the problem in JSON's terms."""
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError("it is not UTF-8 text", "", exc.start) from None
    except ValueError:  # json's only other ValueError: an integer past Python's digit limit
        limit = sys.get_int_max_str_digits()
        raise json.JSONDecodeError(f"a number has more than {limit} digits", "", 0) from None
    except RecursionError:
        raise json.JSONDecodeError("arrays or objects are nested too deeply", "", 0) from None


class JSONRequest(Request):
    """A Request whose `json()` is `loads`, parsed once (FastAPI and a route's dependencies share the result)."""

    _parsed: Any

    async def json(self) -> Any:
        if not hasattr(self, "_parsed"):
            self._parsed = loads(await self.body())
        return self._parsed


class JSONRoute(APIRoute):
    """An APIRoute whose requests are JSONRequests (FastAPI's documented way to change how a body is read)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_json_request(request: Request) -> Response:
            return await handler(JSONRequest(request.scope, request.receive))

        return with_json_request
