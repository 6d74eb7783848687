"""SubRip (SRT) reader for the dialects podcast tools write.

They come with or without cue numbers, with `,` or `.` before the milliseconds, and with loose blank lines.
"""

from __future__ import annotations

import logging
import re

from indexer.datamodel import Segment, Transcript
from indexer.errors import InputError
from indexer.ingest.formats.vtt import looks_like_timing, parse_timing_line
from indexer.ingest.text import attribute_speakers, check_characters, clean_text, split_lines, strip_bom

log = logging.getLogger(__name__)

_INDEX = re.compile(r"^\s*[0-9]+\s*$")


def parse_srt(text: str) -> Transcript:
    """Transcript from SRT text; cues in file order (run timeline.check_segments to sort and check them).

    Cues are found by their timing lines, so missing cue numbers and extra blank lines are fine. A number alone on
    the line before a timing line is that cue's number, not text. Speaker labels (`Travis: ...` on the first cue of a
    turn) carry forward until the next label. Raises InputError with the line for a malformed timing line, text
    before the first cue, no cues at all, a NUL byte or a lone surrogate.
    """
    text = strip_bom(text)
    check_characters(text)
    lines = split_lines(text)

    timing_rows = [n for n, line in enumerate(lines) if looks_like_timing(line)]
    if not timing_rows:
        raise InputError("no SRT cue timing line ('00:00:01,000 --> 00:00:02,000') found", where="line 1")

    timing_set = set(timing_rows)
    last_filled = max(n for n, line in enumerate(lines) if line.strip())

    def is_index(n: int) -> bool:
        # A cue number sits alone after a blank line (or at the top) and right above a timing line; one left at the
        # very end of a file (a cut-off cue) is a number too, not words.
        return (
            bool(_INDEX.match(lines[n]))
            and (n == 0 or not lines[n - 1].strip())
            and (n + 1 in timing_set or n == last_filled)
        )

    for n in range(timing_rows[0]):
        if lines[n].strip() and not is_index(n):
            raise InputError(
                f"expected a cue number or timing line, got {lines[n].strip()[:60]!r}", where=f"line {n + 1}"
            )

    starts: list[float] = []
    ends: list[float] = []
    raw: list[str] = []
    for k, row in enumerate(timing_rows):
        start, end = parse_timing_line(lines[row], row + 1)
        stop = timing_rows[k + 1] if k + 1 < len(timing_rows) else len(lines)
        body = [lines[n] for n in range(row + 1, stop) if lines[n].strip() and not is_index(n)]
        starts.append(start)
        ends.append(end)
        raw.append("\n".join(body))

    texts = [clean_text(r) for r in raw]
    speakers, texts = attribute_speakers(texts)
    segments = [
        Segment(start_s=s, end_s=e, text=t.strip(), speaker=sp)
        for s, e, t, sp in zip(starts, ends, texts, speakers, strict=True)
    ]
    log.debug("srt: %d cues", len(segments))
    return Transcript(segments=segments)
