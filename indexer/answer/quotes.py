"""Holding a model's reply to what the passages say: find its `[n] "quote"` citations, look each up word for word
in passage n, and strike out the ones that are not there."""

from __future__ import annotations

import re

from indexer.answer.citations import normalise

_QUOTE = r'["“]([^"“”\n]{2,}?)["”]'
_BEFORE = re.compile(r"\[(\d{1,2})\]\s*[:,\-–—]?\s*" + _QUOTE)  # [2] "words"
_AFTER = re.compile(_QUOTE + r"\s*[,.;:]?\s*\(?\[(\d{1,2})\]")  # "words" [2]
_EDGE_PUNCTUATION = ".,;:!?… "
REMOVED = "(quote removed: not found word for word in the passage)"


def quote_matches(reply: str) -> list[tuple[int, int, int, str]]:
    """(start, end, passage number, quote) of each cited quote in reply order; start/end span the whole
    citation. The reply's first quote decides its style: a number before (`[2] "..."`) or after (`"..." [2]`);
    reading both would attribute some quotes to the wrong passage."""
    before = [(m.start(2), m.start(), m.end(), int(m.group(1)), m.group(2)) for m in _BEFORE.finditer(reply)]
    after = [(m.start(1), m.start(), m.end(), int(m.group(2)), m.group(1)) for m in _AFTER.finditer(reply)]
    found = [styled for styled in (before, after) if styled]
    chosen = min(found, key=lambda styled: styled[0][0], default=[])  # on a tie min keeps the first: `before`
    return [(start, end, n, quote) for _, start, end, n, quote in sorted(chosen) if quote.strip()]


def parse_quotes(reply: str) -> list[tuple[int, str]]:
    """(passage number, quote) pairs in reply order, each once."""
    pairs: list[tuple[int, str]] = []
    for _, _, n, quote in quote_matches(reply):
        if (n, normalise(quote)) not in {(m, normalise(q)) for m, q in pairs}:
            pairs.append((n, quote))
    return pairs


def strip_quotes(reply: str, unverified: set[tuple[int, str]]) -> str:
    """The reply with each unverified (n, normalised quote) replaced by a note: shown as the model's words,
    a quotation that is not in the episodes would still read as if someone had said it."""
    for start, end, n, quote in reversed(quote_matches(reply)):
        if (n, normalise(quote)) in unverified:
            reply = f"{reply[:start]}[{n}] {REMOVED}{reply[end:]}"
    return reply


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Character span of `quote` in `text`, comparing with runs of whitespace collapsed; None when absent.

    A quote whose only difference is punctuation at its ends ("never read." for "never read,") is found by
    its words; the citation then quotes the passage's own characters, so it stays verbatim.
    """
    flat: list[str] = []
    where: list[int] = []  # where[i]: offset in `text` of flat[i]
    for i, ch in enumerate(text):
        if ch.isspace():
            if not flat or flat[-1] == " ":
                continue
            ch = " "
        flat.append(ch)
        where.append(i)
    haystack = "".join(flat)
    for target in (normalise(quote), normalise(quote).strip(_EDGE_PUNCTUATION)):
        pos = haystack.find(target) if target else -1
        if pos >= 0:
            return where[pos], where[pos + len(target) - 1] + 1
    return None
