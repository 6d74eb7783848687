"""Query words: how a user's text becomes terms, for FTS5 matching and for highlighting."""

from __future__ import annotations

import re

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


def fts_query(text: str) -> str | None:
    """The query's terms as an FTS5 expression of quoted strings joined by OR: operators in the input stay words."""
    terms = query_terms(text)
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
