"""JSON transcripts: Podcasting 2.0 (`startTime`/`body`, often one word per segment), whisper, and inline lists."""

from __future__ import annotations

import logging
from typing import Any

from indexer.datamodel import Segment, Transcript
from indexer.errors import InputError
from indexer.ingest.jsonvalues import json_seconds, load_json
from indexer.ingest.text import check_characters, clean_text, find_bad_char, strip_bom
from indexer.passages.sentences import ends_sentence
from indexer.passages.timing import to_seconds

log = logging.getLogger(__name__)

MAX_GAP_S = 2.0  # a pause longer than this starts a new segment even mid-sentence
# Unpunctuated word-level files would otherwise merge into minutes-long turns; ~40 words (~15 s of speech) keeps a
# segment about the size of a caption cue, so a hit can still seek close to the words.
MAX_WORDS = 40

_NO_SPACE_BEFORE = tuple(",.;:!?%)]}…”’")

_START_KEYS = ("start", "startTime")
_END_KEYS = ("end", "endTime")
_TEXT_KEYS = ("text", "body")


def _field(where_prefix: str, i: int, key: str) -> str:
    return f"{where_prefix}[{i}].{key}"


def _time(item: dict[str, Any], key: str, where: str, required: bool) -> float | None:
    return json_seconds(item.get(key), where, expected="a number of seconds",
                        missing="missing start time" if required else None, kind=_type_name, bad="bad time: ",
                        parse=to_seconds)


def _type_name(value: Any) -> str:
    return type(value).__name__


def _string(item: dict[str, Any], key: str, where: str, required: bool) -> str | None:
    value = item.get(key)
    if value is None:
        if required:
            raise InputError("missing text", where=where)
        return None
    if not isinstance(value, str):
        raise InputError(f"expected a string, got {type(value).__name__}", where=where)
    if find_bad_char(value) is not None:
        raise InputError("contains a NUL byte or lone surrogate", where=where)
    return value


def _first_key(item: dict[str, Any], keys: tuple[str, ...], p20: bool) -> str:
    # A missing field is named as the item's own style would name it (`startTime` next to `body`).
    return next((k for k in keys if k in item), keys[1] if p20 else keys[0])


def _read(items: Any, where_prefix: str) -> list[tuple[float, float | None, str, str | None]]:
    """(start, end, raw text, speaker) per item, each field checked and named in errors."""
    if not isinstance(items, list):
        raise InputError(f"expected a list of segments, got {type(items).__name__}", where=where_prefix or None)
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(
                f"expected an object with start/end/text, got {type(item).__name__}", where=f"{where_prefix}[{i}]"
            )
        p20 = any(k in item for k in ("startTime", "endTime", "body"))
        sk, ek, tk = (_first_key(item, keys, p20) for keys in (_START_KEYS, _END_KEYS, _TEXT_KEYS))
        start = _time(item, sk, _field(where_prefix, i, sk), required=True)
        end = _time(item, ek, _field(where_prefix, i, ek), required=False)
        body = _string(item, tk, _field(where_prefix, i, tk), required=True)
        speaker = _string(item, "speaker", _field(where_prefix, i, "speaker"), required=False)
        assert start is not None and body is not None
        out.append((start, end, body, clean_text(speaker) or None if speaker else None))
    return out


def segments_from_dicts(items: list[dict], where_prefix: str) -> Transcript:
    """Transcript from a list of `{"start", "end", "speaker", "text"}` objects (`startTime`/`endTime`/`body` also read).

    One segment per item, in list order (run timeline.check_segments to sort and check them). Errors name the
    field, e.g. `transcript[3].start`, with `where_prefix` as given by the caller.
    """
    rows = _read(items, where_prefix)
    return Transcript(segments=[Segment(start_s=s, end_s=e, text=clean_text(t), speaker=sp) for s, e, t, sp in rows])


def _join(left: str, right: str) -> str:
    if not left or left[-1].isspace() or right[:1].isspace() or right.startswith(_NO_SPACE_BEFORE):
        return left + right
    return f"{left} {right}"


def merge_words(rows: list[tuple[float, float | None, str, str | None]]) -> list[Segment]:
    """Word-per-segment rows merged into sentence-ish segments, exact start of first word and end of last.

    A segment ends after sentence-ending punctuation, before a change of speaker, before a pause over MAX_GAP_S,
    and at MAX_WORDS words.
    """
    segments: list[Segment] = []
    text = ""
    start = end = None
    speaker: str | None = None
    last_time = 0.0

    def flush() -> None:
        nonlocal text
        cleaned = clean_text(text)
        if cleaned and start is not None:
            segments.append(Segment(start_s=start, end_s=end, text=cleaned, speaker=speaker))
        text = ""

    for s, e, body, sp in rows:
        if text and (sp != speaker or s - last_time > MAX_GAP_S):
            flush()
        if not text.strip():
            start, speaker = s, sp
        text = _join(text, body)
        end = e
        last_time = e if e is not None else s
        if ends_sentence(body) or len(text.split()) >= MAX_WORDS:
            flush()
    flush()
    return segments


def parse_json_transcript(text: str) -> Transcript:
    """Transcript from Podcasting 2.0 JSON, whisper JSON, or a bare list of segment objects (detected by keys).

    Podcasting 2.0 segments are merged into sentence-ish segments (see merge_words); whisper and list segments are
    kept one for one. Segments are in file order (run timeline.check_segments to sort and check them). Bad JSON
    raises InputError with its line and column; a bad field raises one naming it, e.g. `segments[4].startTime`.
    """
    text = strip_bom(text)
    check_characters(text)
    data = load_json(text, prefix="invalid JSON")
    if isinstance(data, list):
        return segments_from_dicts(data, "")
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object with a 'segments' list, got {type(data).__name__}")
    if "segments" not in data:
        raise InputError("no 'segments' list: not a Podcasting 2.0 or whisper transcript", where="segments")
    items = data["segments"]
    rows = _read(items, "segments")
    is_p20 = any(isinstance(it, dict) and ("startTime" in it or "body" in it) for it in items)
    if is_p20:
        segments = merge_words(rows)
        log.debug("json: Podcasting 2.0, %d segments merged into %d", len(rows), len(segments))
    else:
        segments = [Segment(start_s=s, end_s=e, text=clean_text(t), speaker=sp) for s, e, t, sp in rows]
        log.debug("json: whisper-style, %d segments", len(segments))
    return Transcript(segments=segments)
