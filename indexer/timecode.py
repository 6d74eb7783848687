"""Timestamps in and out: `1:02:03.5`, `62:03`, `00:01:02,500`, plain seconds; and `1:02:03` for display."""

from __future__ import annotations

import math
import re

_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d{1,3}):(\d{1,2})(?:[.,](\d{1,3}))?\s*$")
_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*$")
# No episode lasts two days; a finite but huge time (`"end": 1e306`) once overflowed to inf in later arithmetic and
# made every search reaching its passages fail, so times past this are refused where they are read.
MAX_SECONDS = 48 * 3600


def parse_timestamp(value: str | int | float) -> float:
    """Seconds from `h:mm:ss(.mmm)`, `mm:ss(.mmm)`, a comma decimal (SRT) or a number.

    Raises ValueError for negative numbers, minutes or seconds over 59 in a clock form, non-finite values and
    anything past MAX_SECONDS (never OverflowError): a wrong time is worse than a refused one.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    fraction = 0.0
    if isinstance(value, (int, float)):
        seconds = value
    else:
        text = str(value)
        m = _SECONDS.match(text)
        if m:
            seconds = float(m.group(1))
        else:
            m = _CLOCK.match(text)
            if not m:
                raise ValueError(f"not a timestamp: {text!r}")
            hours, minutes, secs, frac = m.groups()
            if hours is not None and int(minutes) > 59:
                raise ValueError(f"minutes over 59 in {text!r}")
            if int(secs) > 59:
                raise ValueError(f"seconds over 59 in {text!r}")
            seconds = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
            fraction = int(frac) / (10 ** len(frac)) if frac else 0.0
    try:
        seconds = float(seconds) + fraction
    except OverflowError:  # an int of hundreds of digits (`999...9:00:00`, a JSON 1e400 written out)
        raise ValueError(f"timestamp out of range: {str(value)[:40]!r}") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"timestamp must be a finite number of seconds >= 0, got {value!r}")
    if seconds > MAX_SECONDS:
        raise ValueError(f"timestamp {str(value)[:40]!r} is past {MAX_SECONDS // 3600} hours "
                         f"({MAX_SECONDS} s), the longest time accepted")
    return seconds


def format_timestamp(seconds: float | None) -> str:
    """`1:02:03` past an hour, `2:03` below it; the form players and show notes use."""
    if seconds is None:
        return ""
    total = int(max(0.0, seconds))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def audio_link(audio_url: str | None, seconds: float | None) -> str | None:
    """A link that starts the audio at `seconds` (W3C media fragment `#t=`), or None without audio."""
    if not audio_url:
        return None
    base = audio_url.split("#", 1)[0]
    if seconds is None:
        return base
    return f"{base}#t={int(seconds)}"
