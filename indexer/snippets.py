"""Query-term highlighting and in-passage seeking: which words matched, and which segment to play from."""

from __future__ import annotations

from collections.abc import Sequence

from .terms import WORD as _WORD

MARK_OPEN, MARK_CLOSE = "«", "»"


def _matches(word: str, terms: Sequence[str]) -> bool:
    # a shared 5-letter prefix stands in for stemming: "enclaves" ~ "enclave", "computing" ~ "compute"
    w = word.lower()
    return any(w == t or (len(t) >= 5 and len(w) >= 5 and w[:5] == t[:5]) for t in terms)


def snippet(text: str, terms: Sequence[str], width: int = 240) -> str:
    """A window of the text around the densest run of the query's `terms` (`query_terms`), each wrapped in « »."""
    clean = text.replace(MARK_OPEN, "‹").replace(MARK_CLOSE, "›")
    spans = [m.span() for m in _WORD.finditer(clean) if _matches(m.group(), terms)]
    start = 0
    if spans and len(clean) > width:
        best, best_count = spans[0][0], 0
        for s, _ in spans:
            count = sum(1 for t, _ in spans if s <= t < s + width)
            if count > best_count:
                best, best_count = s, count
        start = max(0, best - width // 4)
        space = clean.rfind(" ", 0, start)
        start = space + 1 if start and space >= 0 else start
    end = min(len(clean), start + width)
    if end < len(clean):
        space = clean.rfind(" ", start, end)
        end = space if space > start else end
    out: list[str] = ["…" if start else ""]
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [clean[pos:s], MARK_OPEN, clean[s:e], MARK_CLOSE]
        pos = e
    out += [clean[pos:end], "…" if end < len(clean) else ""]
    return "".join(out)


def best_mark(text: str, marks: Sequence[tuple[int, float]], terms: Sequence[str]) -> float | None:
    """Start second of the segment inside the passage that holds the most of the query's `terms` (None: no
    segment matches)."""
    if not marks or not terms:
        return None
    best_time, best_score = None, 0
    for n, (offset, start_s) in enumerate(marks):
        stop = marks[n + 1][0] if n + 1 < len(marks) else len(text)
        words = _WORD.findall(text[offset:stop])
        score = len({t for t in terms for w in words if _matches(w, [t])})
        if score > best_score:
            best_time, best_score = start_s, score
    return best_time

