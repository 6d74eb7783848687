"""The keyword engine: an SQLite FTS5 table beside the passages, ranked by bm25 with per-column weights.

Each passage is indexed with its spoken text and, in columns of their own, the context people search by
(episode title, chapter title, podcast, speakers), so a column can weigh less than the words said.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from indexer.search.query import query_terms

# bm25 column weights: spoken text, episode title, chapter title, podcast, speakers (see bench/README.md)
COLUMNS = ("text", "title", "chapter", "podcast", "speakers")
FTS_WEIGHTS = (1.0, 0.6, 0.6, 0.3, 0.6)

_DDL = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    {", ".join(COLUMNS)}, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


def create(conn: sqlite3.Connection) -> None:
    conn.executescript(_DDL)


def add(conn: sqlite3.Connection, rows: Sequence[tuple[int, str, Mapping[str, str]]]) -> None:
    """Index (passage id, spoken text, context fields) rows; the id is the passage's and its vector's."""
    conn.executemany(
        f"INSERT INTO passages_fts(rowid, {', '.join(COLUMNS)}) VALUES (?,?,?,?,?,?)",
        [(pid, text, ctx["title"], ctx["chapter"], ctx["podcast"], ctx["speakers"]) for pid, text, ctx in rows],
    )


def remove(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    conn.executemany("DELETE FROM passages_fts WHERE rowid = ?", [(i,) for i in ids])


def match_expression(terms: Sequence[str]) -> str | None:
    """Terms as an FTS5 expression of quoted strings joined by OR: operators in the input stay words."""
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def search(conn: sqlite3.Connection, terms: Sequence[str], k: int, where: tuple[str, list[object]]
           ) -> list[tuple[int, float]]:
    """Best k passages by bm25 (higher is better here); `where` (over `p` passages and `e` episodes, from
    `store.filter_clause`) applies inside the same query, before ranking."""
    expr = match_expression(terms)
    if expr is None or k <= 0:
        return []
    condition, params = where
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    sql = (
        f"SELECT f.rowid AS id, bm25(passages_fts, {weights}) AS score FROM passages_fts f "
        "JOIN passages p ON p.id = f.rowid JOIN episodes e ON e.id = p.episode_id "
        f"WHERE passages_fts MATCH ? AND {condition} ORDER BY score LIMIT ?"
    )
    return [(int(r["id"]), -float(r["score"])) for r in conn.execute(sql, [expr, *params, k])]




def fts_query(text: str) -> str | None:
    """The FTS5 expression for a user's text: its `query_terms`, quoted and joined by OR."""
    return match_expression(query_terms(text))
