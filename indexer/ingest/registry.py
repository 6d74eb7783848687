"""The one table of transcript formats: how a file is recognised (suffix, MIME type, content), how formats rank
when an episode has several, and which parser reads each. Corpus pairing, feeds and the readers all ask here.

To add a format: write `formats/<name>.py` with a pure `parse(text, duration_s) -> Transcript`, add a row to
`FORMATS` (its place in the tuple is its rank), and, if it can be told by content, a rule in `_sniff`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from indexer.datamodel import Transcript
from indexer.errors import InputError
from indexer.ingest.formats.html import parse_html_transcript
from indexer.ingest.formats.json_transcript import parse_json_transcript
from indexer.ingest.formats.markdown import parse_markdown
from indexer.ingest.formats.plaintext import parse_plain_text
from indexer.ingest.formats.srt import parse_srt
from indexer.ingest.formats.vtt import parse_vtt
from indexer.ingest.text import strip_bom
from indexer.passages.timing import check_segments

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TranscriptFormat:
    """A transcript format: its name, the suffixes and MIME types that announce it, and its parser.

    `corpus_suffixes` are the names that pair with a record in a corpus folder (a bare `.json` there is a
    record, so JSON transcripts are `.transcript.json`).
    """

    name: str
    suffixes: tuple[str, ...]
    corpus_suffixes: tuple[str, ...]
    mime_types: tuple[str, ...]
    parse: Callable[[str, float | None], Transcript]


# Best first: Podcasting 2.0 JSON keeps speakers and times; VTT/SRT keep times; HTML, Markdown and plain text
# often keep neither. The order is the rank used when an episode has several transcripts.
FORMATS: tuple[TranscriptFormat, ...] = (
    TranscriptFormat("json", (".json",), (".transcript.json",), ("application/json",),
                     lambda text, _: parse_json_transcript(text)),
    TranscriptFormat("vtt", (".vtt",), (".vtt",), ("text/vtt",), lambda text, _: parse_vtt(text)),
    TranscriptFormat("srt", (".srt",), (".srt",), ("application/srt", "application/x-subrip", "text/srt"),
                     lambda text, _: parse_srt(text)),
    TranscriptFormat("html", (".html", ".htm"), (".html", ".htm"), ("text/html",), parse_html_transcript),
    TranscriptFormat("markdown", (".md", ".markdown"), (".md", ".markdown"), ("text/markdown",), parse_markdown),
    TranscriptFormat("text", (".txt",), (".txt",), ("text/plain",), parse_plain_text),
)
BY_NAME = {f.name: f for f in FORMATS}
# Suffixes that say "text" without saying which kind: the content decides
SNIFFED_SUFFIXES = frozenset({".txt", ".text", ".transcript", ""})
CORPUS_TRANSCRIPT_SUFFIXES = tuple(s for f in FORMATS for s in f.corpus_suffixes)

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


def format_for_suffix(suffix: str) -> TranscriptFormat | None:
    return next((f for f in FORMATS if suffix.lower() in f.suffixes), None)


def format_for_mime(mime: str) -> TranscriptFormat | None:
    clean = mime.split(";")[0].strip().lower()
    return next((f for f in FORMATS if clean in f.mime_types), None)


def mime_rank(mime: str) -> int:
    """Rank of a MIME type (0 is best; unknown types rank last)."""
    found = format_for_mime(mime)
    return FORMATS.index(found) if found else len(FORMATS)


def corpus_rank(name: str) -> int:
    """Rank of a corpus transcript file by its name (0 is best); names that are no transcript rank last."""
    low = name.lower()
    return next((i for i, s in enumerate(CORPUS_TRANSCRIPT_SUFFIXES) if low.endswith(s)),
                len(CORPUS_TRANSCRIPT_SUFFIXES))


def name_with_suffix(name: str, mime: str) -> str:
    """A name the format can be detected from: the name itself when its suffix is known, else the name with the
    suffix of its MIME type (feeds name transcripts by URL, which often has no suffix)."""
    suffix = PurePath(name).suffix.lower()
    if format_for_suffix(suffix) is not None:
        return name
    found = format_for_mime(mime)
    return name + (found.suffixes[0] if found else "")


def detect_transcript_format(name: str, text: str) -> str:
    """vtt, srt, json, markdown, html or text, from the file extension, or from the content for `.txt` and
    nameless text.

    Raises InputError for other extensions (e.g. Podlove `.xsl`/`.xml`, `.pdf`), naming the supported ones.
    """
    suffix = PurePath(name).suffix.lower() if name else ""
    if suffix in SNIFFED_SUFFIXES:
        return _sniff(strip_bom(text))
    found = format_for_suffix(suffix)
    if found is not None:
        return found.name
    supported = ", ".join(sorted({s for f in FORMATS for s in f.suffixes}))
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
        transcript = BY_NAME[fmt].parse(text, duration_s)
    except InputError as e:
        if not name:
            raise
        raise e.at(name) from None  # the same error, now naming the file
    segments, warnings = check_segments(transcript.segments, duration_s)
    log.debug("%s: %s transcript, %d segments, %d warnings", name or "<text>", fmt, len(segments),
              len(transcript.warnings) + len(warnings))
    return Transcript(segments=segments, warnings=transcript.warnings + warnings)
