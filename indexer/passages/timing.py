"""Where every second comes from: the one module that computes times.

- parse time: checks of transcript segments, and start times for paragraph transcripts that carry only sparse
  marks (interpolated by word count, flagged `time_estimated`);
- chunking: times of the pieces of a segment too long for one passage (by character share);
- search: `seek_s`, the start of the segment inside a passage that best matches the query;
- answers: the second of any character of a passage (a citation's start), between the segment starts around it.

A passage's `segment_starts` are (character offset in its text, start second) for each segment starting in it.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from indexer.datamodel import Segment
from indexer.timecode import format_timestamp, parse_timestamp

log = logging.getLogger(__name__)

WORDS_PER_SECOND = 2.6  # conversational English speech rate, used when nothing better fixes the time
_EPS = 1e-6  # float noise allowed in comparisons
_DURATION_SLACK = 1.0  # feed durations are rounded to whole seconds: an end a second past it is not a problem
_LISTED = 3  # cues named in a warning before "and N more"


def to_seconds(value: str | int | float) -> float:
    """timecode.parse_timestamp (ValueError for a bad time, or one past timecode.MAX_SECONDS: 48 hours), rounded to
    the microsecond."""
    # Rounding to the microsecond removes float noise such as 3 + 938/1000 == 3.9379999999999997.
    return round(parse_timestamp(value), 6)


def _at(index: int, seconds: float | None) -> str:
    when = "?" if seconds is None else (format_timestamp(seconds) if seconds >= 0 else f"{seconds:g}s")
    return f"cue {index + 1} ({when})"


def _summarise(what: str, places: list[str]) -> str:
    shown = ", ".join(places[:_LISTED])
    more = f" and {len(places) - _LISTED} more" if len(places) > _LISTED else ""
    return f"{len(places)} {what}: {shown}{more}"


def check_segments(segments: list[Segment], duration_s: float | None) -> tuple[list[Segment], list[str]]:
    """Segments in start order, with warnings for every timing problem (cues named 1-based, in source order).

    The only repair is a stable sort by start when cues are out of order, and segments with no text are dropped
    (counted in a warning). Negative, reversed, overlapping or past-the-end times are reported, never changed:
    a silently moved cue would send a listener to the wrong second.
    """
    warnings: list[str] = []
    empty = [_at(i, s.start_s) for i, s in enumerate(segments) if not s.text.strip()]
    if empty:
        warnings.append(_summarise("segment(s) without text dropped", empty))
    kept = [(i, s) for i, s in enumerate(segments) if s.text.strip()]

    negative, reversed_, past = [], [], []
    for i, s in kept:
        if s.start_s < 0 or (s.end_s is not None and s.end_s < 0):
            negative.append(_at(i, s.start_s))
        if s.end_s is not None and s.end_s < s.start_s - _EPS:
            reversed_.append(f"{_at(i, s.start_s)} ends at {format_timestamp(s.end_s)}")
        if duration_s is not None and (
            s.start_s > duration_s + _EPS or (s.end_s is not None and s.end_s > duration_s + _DURATION_SLACK)
        ):
            past.append(_at(i, s.start_s))
    if negative:
        warnings.append(_summarise("segment(s) with negative times", negative))
    if reversed_:
        warnings.append(_summarise("segment(s) ending before they start", reversed_))
    if past:
        warnings.append(_summarise(f"segment(s) past the episode's duration {format_timestamp(duration_s)}", past))

    backwards = [_at(i, s.start_s) for (_, p), (i, s) in pairwise(kept) if s.start_s < p.start_s - _EPS]
    if backwards:
        warnings.append(_summarise("segment(s) start before the one above them; sorted by start time", backwards))
        kept.sort(key=lambda item: item[1].start_s)  # stable: equal starts keep their file order

    overlaps = []
    for (_, p), (i, s) in pairwise(kept):
        if p.end_s is not None and s.start_s < p.end_s - _EPS:
            overlaps.append(_at(i, s.start_s))
    if overlaps:
        warnings.append(_summarise("segment(s) start before the previous one ends", overlaps))

    for w in warnings:
        log.debug("transcript: %s", w)
    return [s for _, s in kept], warnings


@dataclass
class Paragraph:
    """A speaker turn or paragraph before it has times: its text and any time marks found at its start."""

    text: str
    speaker: str | None = None
    marks: list[float] = field(default_factory=list)
    where: str = ""  # "line N", for warnings


def _longest_non_decreasing(values: list[float]) -> set[int]:
    """Indices of a longest non-decreasing subsequence, earliest marks preferred on ties: the marks to trust."""
    # Length of the longest non-decreasing chain starting at each index (patience sorting from the right) ...
    tails: list[float] = []
    chain_from = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        k = bisect.bisect_right(tails, -values[i])
        if k == len(tails):
            tails.append(-values[i])
        else:
            tails[k] = -values[i]
        chain_from[i] = k + 1
    # ... then walk forward taking the first index that can still complete a longest chain.
    keep: set[int] = set()
    need, last = len(tails), float("-inf")
    for i, v in enumerate(values):
        if need and chain_from[i] == need and v >= last:
            keep.add(i)
            need, last = need - 1, v
    return keep


def place_paragraphs(
    paragraphs: list[Paragraph], duration_s: float | None = None
) -> tuple[list[Segment], list[str]]:
    """Segments for paragraphs with sparse time marks: exact at a mark, else interpolated by word count.

    A paragraph's start is its own mark (time_estimated=False) or is interpolated by cumulative words between the
    surrounding marks (time_estimated=True); before the first mark from 0, after the last one up to `duration_s`
    when known and later than the mark, else at WORDS_PER_SECOND. A paragraph with marks but no text (a
    `**Break:** [22:39]`) only pins the time at its place. Marks that would make time go backwards are ignored with
    a warning. Each end is the next paragraph's start (or the time a following mark pins).
    """
    warnings: list[str] = []
    positions: list[int] = []  # cumulative words before each paragraph
    total = 0
    for p in paragraphs:
        positions.append(total)
        total += len(p.text.split())

    anchors = _trusted_marks(paragraphs, positions, warnings)
    exact = {k for pos, _, k in anchors if pos == positions[k] and paragraphs[k].text.strip()}
    points = _time_points([(pos, t) for pos, t, _ in anchors], total, duration_s, warnings)
    keys = [pos for pos, _ in points]
    segments: list[Segment] = []
    for k, p in enumerate(paragraphs):
        words = len(p.text.split())
        if not words:
            continue
        start = _time_at(points, keys, positions[k], latest=True)
        end = _time_at(points, keys, positions[k] + words, latest=False)
        segments.append(
            Segment(start_s=round(start, 3), end_s=round(end, 3), text=p.text, speaker=p.speaker,
                    time_estimated=k not in exact)
        )
    return segments, warnings


def _trusted_marks(paragraphs: list[Paragraph], positions: list[int],
                   warnings: list[str]) -> list[tuple[int, float, int]]:
    """(word position, second, paragraph number) of each mark that keeps time moving forward; a warning for each
    mark left out."""
    anchors = [(positions[k], t, k) for k, p in enumerate(paragraphs) for t in p.marks]
    keep = _longest_non_decreasing([t for _, t, _ in anchors])
    for j, (_, t, k) in enumerate(anchors):
        if j not in keep:
            warnings.append(
                f"time mark {format_timestamp(t)} at {paragraphs[k].where or f'paragraph {k + 1}'} "
                "is out of order with the marks around it; ignored"
            )
    return [a for j, a in enumerate(anchors) if j in keep]


def _time_points(points: list[tuple[int, float]], total: int, duration_s: float | None,
                 warnings: list[str]) -> list[tuple[int, float]]:
    """(word position, second) points to interpolate between: the marks, plus 0 at the start and a point for the
    last word (at `duration_s` when it is later than the last mark, else extrapolated at WORDS_PER_SECOND)."""
    points = list(points)
    if not points or points[0][0] > 0:
        points.insert(0, (0, 0.0))
    last_pos, last_t = points[-1]
    if total > last_pos:
        if duration_s is not None and duration_s > last_t:
            points.append((total, float(duration_s)))
        else:
            if duration_s is not None:
                warnings.append(
                    f"last time mark {format_timestamp(last_t)} is not before the duration "
                    f"{format_timestamp(duration_s)}; later times estimated at {WORDS_PER_SECOND} words/s"
                )
            # No end to aim for: extrapolate at a typical speaking rate.
            points.append((total, last_t + (total - last_pos) / WORDS_PER_SECOND))
    return points


def _time_at(points: list[tuple[int, float]], keys: list[int], pos: int, latest: bool) -> float:
    """The second at a word position, interpolated between `points` (`keys`: their positions, for bisecting)."""
    # Several points can share a position (a break "from [a] to [b]"): a start takes the latest, an end the earliest.
    lo = bisect.bisect_left(keys, pos)
    hi = bisect.bisect_right(keys, pos)
    if hi > lo:
        return points[hi - 1][1] if latest else points[lo][1]
    (p0, t0), (p1, t1) = points[lo - 1], points[lo]
    return t0 + (t1 - t0) * (pos - p0) / (p1 - p0)


def spread(start_s: float, end_s: float, lengths: Sequence[int]) -> list[tuple[float, float]]:
    """(start, end) of consecutive pieces of one segment, the segment's time shared out by character count."""
    total = sum(lengths) or 1
    out: list[tuple[float, float]] = []
    offset = 0
    for length in lengths:
        start = start_s + (end_s - start_s) * offset / total
        offset += length
        out.append((start, start_s + (end_s - start_s) * offset / total))
    return out


def seek_second(text: str, segment_starts: Sequence[tuple[int, float]], score: Callable[[str], float],
                window_s: float = 0.0) -> float | None:
    """Start second of the segment from which the passage's text scores highest (the first on ties); None when
    nothing scores above 0. `score` says how well a piece of text matches the query; what is scored from each
    segment is that segment and the ones starting within `window_s` seconds after it (0: the segment alone), since
    an answer is said over several short cues."""
    best_time, best_score = None, 0.0
    for n, (offset, start_s) in enumerate(segment_starts):
        last = n
        while last + 1 < len(segment_starts) and segment_starts[last + 1][1] < start_s + window_s:
            last += 1
        stop = segment_starts[last + 1][0] if last + 1 < len(segment_starts) else len(text)
        value = score(text[offset:stop])
        if value > best_score:
            best_time, best_score = start_s, value
    return best_time


def second_at(text: str, segment_starts: Sequence[tuple[int, float]], offset: int, start_s: float | None,
              end_s: float | None) -> float | None:
    """Start second of the character at `offset`: interpolated between the segment starts around it (the
    passage's `end_s` closes the last segment); the passage start when it has no segment starts."""
    if not segment_starts:
        return start_s
    before = [(o, t) for o, t in segment_starts if o <= offset] or [segment_starts[0]]
    after = [(o, t) for o, t in segment_starts if o > offset]
    o0, t0 = before[-1]
    if after:
        o1, t1 = after[0]
    else:
        o1, t1 = len(text), end_s if end_s is not None else t0
    if o1 <= o0 or t1 < t0:
        return t0
    return round(t0 + (t1 - t0) * (offset - o0) / (o1 - o0), 1)
