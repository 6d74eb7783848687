"""Query-term highlighting: the window of a passage shown in a hit, with the matched words marked."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.search.query import WORD as _WORD
from indexer.search.query import term_matches

HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE = "«", "»"


def snippet(text: str, terms: Sequence[str], width: int = 240) -> str:
    """A window of the text around the densest run of the query's `terms` (`query_terms`), each wrapped in « »."""
    clean = text.replace(HIGHLIGHT_OPEN, "‹").replace(HIGHLIGHT_CLOSE, "›")
    spans = [m.span() for m in _WORD.finditer(clean) if term_matches(m.group(), terms)]
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
        out += [clean[pos:s], HIGHLIGHT_OPEN, clean[s:e], HIGHLIGHT_CLOSE]
        pos = e
    out += [clean[pos:end], "…" if end < len(clean) else ""]
    return "".join(out)
