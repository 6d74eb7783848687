"""JSON text to values, and JSON time values to seconds, every failure an InputError; shared by the JSON readers
(transcripts, chapters files, episode records), which each keep their own wording through the parameters."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from indexer.errors import InputError
from indexer.timecode import parse_timestamp


def json_kind(value: Any) -> str:
    """JSON's name for a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def load_json(text: str, *, prefix: str = "not valid JSON", line: str | None = None) -> Any:
    """`json.loads(text)`; on failure InputError `PREFIX: reason` at `line N column C`.

    For one line of a JSON Lines file give `line` (e.g. "line 3"): it is the error's where, and the column goes
    into the message instead.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if line is None:
            raise InputError(f"{prefix}: {exc.msg}", where=f"line {exc.lineno} column {exc.colno}") from None
        raise InputError(f"{prefix}: {exc.msg} at column {exc.colno}", where=line) from None
    except (ValueError, RecursionError) as exc:  # an integer of over 4300 digits; arrays nested thousands deep
        raise InputError(f"{prefix}: {str(exc)[:100]}", where=line) from None


def json_seconds(value: Any, where: str, *, expected: str, missing: str | None = None,
                 kind: Callable[[Any], str] = json_kind, bad: str = "",
                 parse: Callable[[Any], float] = parse_timestamp) -> float | None:
    """A JSON time value (a number of seconds or a clock string like "1:02:03") as seconds, by `parse`.

    None when the value is null or absent, unless `missing` is given: then InputError(missing). A value of
    another type is InputError "expected EXPECTED, got KIND" (`kind` names it; JSON's name by default), an
    unreadable time InputError `BAD` + the parser's message; all at `where`.
    """
    if value is None:
        if missing is not None:
            raise InputError(missing, where=where)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(f"expected {expected}, got {kind(value)}", where=where)
    try:
        return parse(value)
    except ValueError as exc:
        raise InputError(f"{bad}{exc}", where=where) from None
