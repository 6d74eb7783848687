"""WebVTT reader: cues with times and speakers from `<v Name>` tags or Descript-style `Name:` labels.

A small parser of our own rather than webvtt-py: webvtt-py 0.6 silently skips cues whose timing line is malformed
(`00:01.000 -> 00:02.000`, `00:99:99.000 --> ...`) and its MalformedFileError names no line, while a reader here must
refuse bad input and say where it is.
"""

from __future__ import annotations

import logging
import re

from indexer.datamodel import Segment, Transcript
from indexer.errors import InputError
from indexer.ingest.text import attribute_speakers, check_characters, clean_text, split_lines, strip_bom, voice_of
from indexer.passages.timing import to_seconds
from indexer.timecode import MAX_SECONDS

log = logging.getLogger(__name__)

_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_TIMING = re.compile(r"^\s*(?P<start>\S+?)\s*-->\s*(?P<end>[^\s]+)(?:\s+(?P<settings>.*))?$")
# Hours are optional and, in whisper output, a single digit; the WebVTT spec wants `.` but some tools write `,`.
_CUE_TIME = re.compile(r"^(?:[0-9]+:)?[0-9]{2}:[0-9]{2}[.,][0-9]{1,3}$")
# A mistyped arrow between two clock times (`00:01.000 -> 00:02.000`): refused, not read as cue text.
_LOOKS_LIKE_TIMING = re.compile(
    r"^\s*(?:[0-9]+:)?[0-9]+:[0-9]+(?:[.,][0-9]+)?\s*(?:-{1,2}>?|=>|[–—]>?)\s*(?:[0-9]+:)?[0-9]+:[0-9]+"
)
# The common case, `00:01.000 --> 00:02.500` or `1:02:03.000 --> ...`, read without the general path: long files
# have tens of thousands of cues.
_FAST_TIMING = re.compile(
    r"^(?:([0-9]{1,3}):)?([0-5][0-9]):([0-5][0-9][.,][0-9]{3})[ \t]*-->[ \t]*"
    r"(?:([0-9]{1,3}):)?([0-5][0-9]):([0-5][0-9][.,][0-9]{3})(?:[ \t]|$)"
)
_BLOCK = re.compile(r"^[^\S\n]*\S[^\n]*(?:\n[^\S\n]*\S[^\n]*)*", re.MULTILINE)
_BLOCK_KEYWORD = re.compile(r"^(NOTE|STYLE|REGION)(?:[ \t].*)?$")


def parse_cue_time(token: str, line_no: int) -> float:
    """Seconds of one side of a cue timing line, or InputError naming the line."""
    if not _CUE_TIME.match(token):
        raise InputError(f"bad cue timestamp {token!r} (expected [hh:]mm:ss.mmm)", where=f"line {line_no}")
    try:
        return to_seconds(token)
    except ValueError as e:
        raise InputError(f"bad cue timestamp {token!r}: {e}", where=f"line {line_no}") from None


def _fast_times(m: re.Match[str]) -> tuple[float, float] | None:
    """(start, end) of a `_FAST_TIMING` match; None past MAX_SECONDS (a 3-digit hour), which the general path then
    refuses with parse_timestamp's reason."""
    h1, m1, s1, h2, m2, s2 = m.groups()
    times = (
        round(int(h1 or 0) * 3600 + int(m1) * 60 + float(s1.replace(",", ".")), 3),
        round(int(h2 or 0) * 3600 + int(m2) * 60 + float(s2.replace(",", ".")), 3),
    )
    return times if max(times) <= MAX_SECONDS else None


def _line_of(text: str, m: re.Match[str] | None) -> int:
    """1-based line number where a block match starts (the line after the text when there is none)."""
    return text.count("\n", 0, m.start() if m else len(text)) + 1


def parse_timing_line(line: str, line_no: int) -> tuple[float, float]:
    """(start, end) of a `start --> end [settings]` line; cue settings are ignored (they only place captions)."""
    fast = _FAST_TIMING.match(line)
    if fast and (times := _fast_times(fast)) is not None:
        return times
    m = _TIMING.match(line)
    if not m:
        raise InputError(f"bad cue timing line {line.strip()!r}", where=f"line {line_no}")
    return parse_cue_time(m["start"], line_no), parse_cue_time(m["end"], line_no)


def looks_like_timing(line: str) -> bool:
    """Whether a line was meant as a cue timing line, so that a malformed one is refused rather than read as text."""
    return "-->" in line or bool(_LOOKS_LIKE_TIMING.match(line))


def parse_vtt(text: str) -> Transcript:
    """Transcript from WebVTT text; cues in file order (`parse_transcript` sorts and checks them).

    Raises InputError with the line for a missing header, a malformed timing line, a block that is neither cue nor
    NOTE/STYLE/REGION, a NUL byte or a lone surrogate.
    """
    text = strip_bom(text)
    check_characters(text)
    text = "\n".join(split_lines(text))
    blocks = _BLOCK.finditer(text)  # runs of non-blank lines; offsets give line numbers when something is wrong
    _check_header(text, next(blocks, None))
    starts: list[float] = []
    ends: list[float] = []
    raw: list[str] = []
    skipped_blocks = 0
    for m in blocks:
        cue = _read_cue(text, m)
        if cue is None:
            skipped_blocks += 1
            continue
        starts.append(cue[0])
        ends.append(cue[1])
        raw.append(cue[2])

    voices = [voice_of(r) for r in raw]
    texts = [clean_text(r) for r in raw]
    speakers, texts = attribute_speakers(texts, voices)
    segments = [
        Segment(start_s=s, end_s=e, text=t.strip(), speaker=sp)
        for s, e, t, sp in zip(starts, ends, texts, speakers, strict=True)
    ]
    log.debug("vtt: %d cues, %d NOTE/STYLE/REGION blocks", len(segments), skipped_blocks)
    return Transcript(segments=segments)


def _check_header(text: str, header: re.Match[str] | None) -> None:
    """The first block must open with `WEBVTT`; its other lines (`Kind: captions`) are skipped, but not a cue."""
    if header is None or not _HEADER.match(header.group().split("\n", 1)[0]):
        raise InputError("missing 'WEBVTT' header: not a WebVTT file", where=f"line {_line_of(text, header)}")
    for k, line in enumerate(header.group().split("\n")):
        if "-->" in line:
            raise InputError(
                "cue timing in the header: a blank line must follow 'WEBVTT'",
                where=f"line {_line_of(text, header) + k}",
            )


def _read_cue(text: str, m: re.Match[str]) -> tuple[float, float, str] | None:
    """(start, end, raw text) of one cue block, found at `m` in `text`; None for a NOTE, STYLE or REGION block."""
    block = m.group().split("\n")
    first = block[0]
    fast = _FAST_TIMING.match(first)
    if fast:
        timing_at = 0
    elif _BLOCK_KEYWORD.match(first) and "-->" not in first:
        return None
    elif looks_like_timing(first):
        timing_at = 0
    elif len(block) > 1 and looks_like_timing(block[1]):
        timing_at = 1  # the first line is a cue identifier
        fast = _FAST_TIMING.match(block[1])
    else:
        raise InputError(
            f"expected a cue timing line ('00:00:01.000 --> 00:00:02.000'), got {first.strip()[:60]!r}",
            where=f"line {_line_of(text, m)}",
        )
    times = _fast_times(fast) if fast else None
    if times is None:
        times = parse_timing_line(block[timing_at], _line_of(text, m) + timing_at)
    start, end = times
    payload = block[timing_at + 1:]
    joined = "\n".join(payload)
    if "-->" in joined:
        k = next(k for k, line in enumerate(payload) if "-->" in line)
        raise InputError(
            "cue text contains '-->': a blank line is missing before this cue",
            where=f"line {_line_of(text, m) + timing_at + 1 + k}",
        )
    return start, end, joined
