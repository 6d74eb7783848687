"""Transcript readers: pick the format by file name (or by content), parse, then check the timeline."""

from __future__ import annotations

import logging
import re
from pathlib import PurePath

from ..errors import InputError
from ..model import Transcript
from .jsontranscript import parse_json_transcript, segments_from_dicts
from .markdown import parse_html_transcript, parse_markdown, parse_plain_text
from .srt import parse_srt
from .text import strip_bom
from .timeline import check_segments
from .vtt import parse_vtt

log = logging.getLogger(__name__)

__all__ = [
    "detect_transcript_format", "parse_transcript", "parse_vtt", "parse_srt", "parse_json_transcript",
    "segments_from_dicts", "parse_markdown", "parse_html_transcript", "parse_plain_text", "check_segments",
]

_BY_EXTENSION = {
    ".vtt": "vtt", ".srt": "srt", ".json": "json", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html",
}
_SNIFFED = {".txt", ".text", ".transcript", ""}
_SRT_TIMING = re.compile(r"^\s*[0-9]+:[0-9]{2}:[0-9]{2}[,.][0-9]{1,3}\s*-->", re.MULTILINE)
_MD_LABEL = re.compile(r"^\*\*[^*\n]{1,80}?(?::\*\*|\*\*:)", re.MULTILINE)
_HTML_TRANSCRIPT = re.compile(r"<(?:p|cite|time)\b", re.IGNORECASE)


def _sniff(text: str) -> str:
    head = text.lstrip()[:4096]
    if re.match(r"WEBVTT(?:[ \t\r\n]|$)", head):
        return "vtt"
    if re.match(r"[{\[]\s*[{\"\]]", head):  # an object, or a list of objects/strings
        return "json"
    if _SRT_TIMING.search(head):
        return "srt"
    if head.startswith("<") and _HTML_TRANSCRIPT.search(text):
        return "html"
    if _MD_LABEL.search(head):
        return "markdown"
    return "text"


def detect_transcript_format(name: str, text: str) -> str:
    """vtt, srt, json, markdown, html or text, from the file extension, or from the content for `.txt` and
    nameless text.

    Raises InputError for other extensions (e.g. Podlove `.xsl`/`.xml`, `.pdf`), naming the supported ones.
    """
    suffix = PurePath(name).suffix.lower() if name else ""
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    if suffix in _SNIFFED:
        return _sniff(strip_bom(text))
    supported = ", ".join(sorted(set(_BY_EXTENSION) | {".txt"}))
    raise InputError(f"unsupported transcript format {suffix!r} (supported: {supported})", source=name or None)


def parse_transcript(text: str, name: str = "", duration_s: float | None = None) -> Transcript:
    """Transcript of any supported format, sorted by start, with parser and timeline warnings.

    `name` (a file name or path) picks the format and is put into errors; `duration_s`, when known, bounds
    estimated times and is checked against. Every failure is an InputError.
    """
    text = strip_bom(text)
    if not text.strip():
        raise InputError("empty transcript", source=name or None)
    try:
        fmt = detect_transcript_format(name, text)
        if fmt == "vtt":
            transcript = parse_vtt(text)
        elif fmt == "srt":
            transcript = parse_srt(text)
        elif fmt == "json":
            transcript = parse_json_transcript(text)
        elif fmt == "markdown":
            transcript = parse_markdown(text, duration_s)
        elif fmt == "html":
            transcript = parse_html_transcript(text, duration_s)
        else:
            transcript = parse_plain_text(text, duration_s)
    except InputError as e:
        raise e.at(name) if name else e
    segments, warnings = check_segments(transcript.segments, duration_s)
    log.debug("%s: %s transcript, %d segments, %d warnings", name or "<text>", fmt, len(segments),
              len(transcript.warnings) + len(warnings))
    return Transcript(segments=segments, warnings=transcript.warnings + warnings)
