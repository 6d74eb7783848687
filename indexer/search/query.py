"""A search request in the library's terms: its modes and limits (defined once, for the CLI, the service and
the page), its validation, and how a user's text becomes terms for matching and highlighting."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence

from indexer.errors import QueryError

MODES = ("hybrid", "keyword", "semantic")
DEFAULT_MODE = "hybrid"  # keyword and dense fail differently; fused they beat either (bench/README.md)
MAX_QUERY_CHARS = 1000
MAX_K = 100
MAX_OFFSET = 1000  # the searcher ranks (offset + k) * 3 candidates; an unbounded offset is a cheap DoS

WORD = re.compile(r"\w+", re.UNICODE)
# Function words only: matching "for" or "the" with OR semantics adds noise hits, never the answer
STOP_WORDS = frozenset(
    "a an and are as at be by for from how i in is it its of on or that the this to was what when where which who "
    "why with you your do does did can could would should will about into than then there these those we they "
    "he she his her them our us me my".split()
)


def query_terms(query: str) -> list[str]:
    """Lowercased content words of the query, in order, deduplicated (stop words kept only if nothing else is left)."""
    words = [w.lower() for w in WORD.findall(query)]
    content = [w for w in words if w not in STOP_WORDS]
    return list(dict.fromkeys(content or words))


def term_matches(word: str, terms: Sequence[str]) -> bool:
    """Whether a word of a passage matches one of the query's `terms`.

    A shared 5-letter prefix stands in for stemming: "enclaves" ~ "enclave", "computing" ~ "compute".
    """
    w = word.lower()
    return any(w == t or (len(t) >= 5 and len(w) >= 5 and w[:5] == t[:5]) for t in terms)


class TermMatcher:
    """`term_matches` for one query's terms, done by one regular expression over a whole text: which terms occur
    in it, how often, and where. What the ranker's features and seeking use (thousands of texts a search)."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = list(terms)
        self._by_prefix: dict[str, list[str]] = {}
        for t in self.terms:
            if len(t) >= 5:
                self._by_prefix.setdefault(t[:5], []).append(t)
        self._exact = set(self.terms)
        alternatives = sorted({re.escape(t[:5]) + r"\w*" if len(t) >= 5 else re.escape(t) for t in self.terms},
                              key=len, reverse=True)
        # terms are lowercase; matching a lowercased text is several times faster than re.IGNORECASE
        self._pattern = re.compile(r"\b(?:" + "|".join(alternatives) + r")\b") if alternatives else None

    def matched(self, word: str) -> set[str]:
        """The terms a lowercased word matches."""
        found = {word} & self._exact
        if len(word) >= 5:
            found.update(self._by_prefix.get(word[:5], ()))
        return found

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each word of `text` that matches a term, in order, found as they are asked for (what
        highlighting marks). Offsets are into `text` itself: where lowercasing changes the text's length (a few
        letters, such as "İ", lowercase to two characters) the words are matched one by one instead."""
        if self._pattern is None:
            return iter(())
        lowered = text.lower()
        if len(lowered) != len(text):
            return (m.span() for m in WORD.finditer(text) if self.matched(m.group().lower()))
        return (m.span() for m in self._pattern.finditer(lowered))

    def positions(self, text: str) -> list[tuple[int, str]]:
        """(character offset, term) for every match in the text, in text order."""
        if self._pattern is None:
            return []
        return [(m.start(), t) for m in self._pattern.finditer(text.lower()) for t in self.matched(m.group())]

    def weighted(self, text: str, weights: dict[str, float]) -> float:
        """The summed weights of the distinct terms that occur in the text (what picks the second to seek to)."""
        return sum(weights[t] for t in self.counts(text))

    def counts(self, text: str) -> dict[str, int]:
        """Term -> how many words of the text match it; terms that never match are left out."""
        out: dict[str, int] = {}
        for _, t in self.positions(text):
            out[t] = out.get(t, 0) + 1
        return out


def term_weights(matcher: TermMatcher, texts: Sequence[str]) -> dict[str, float]:
    """An IDF weight per term over `texts` (the candidates of one search): a term in every candidate says little
    about where in a passage the answer is, a rare one says much."""
    df = dict.fromkeys(matcher.terms, 0)
    for text in texts:
        for t in matcher.counts(text):
            df[t] += 1
    return {t: math.log(1 + len(texts) / (1 + df[t])) for t in matcher.terms}


def check_query(query: str, k: int, mode: str, offset: int = 0) -> str:
    """Validate a request the same way for the CLI, the service and the library; returns the stripped query."""
    text = (query or "").strip()
    if not text:
        raise QueryError("the query is empty: type some words to search for")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text)} characters; the limit is {MAX_QUERY_CHARS}")
    if mode not in MODES:
        raise QueryError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if not 1 <= k <= MAX_K:
        raise QueryError(f"k must be between 1 and {MAX_K}, got {k}")
    if not 0 <= offset <= MAX_OFFSET:
        raise QueryError(f"offset must be between 0 and {MAX_OFFSET}, got {offset}")
    return text
