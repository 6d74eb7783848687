"""The FTS5 keyword engine: an SQLite FTS5 table beside the passages, ranked by bm25 with per-column weights.

Each passage is indexed with its spoken text and, in columns of their own, the context people search by
(episode title, chapter title, podcast, speakers), so a column can weigh less than the words said. Selected with
`PODQUERY_KEYWORD_ENGINE=fts5`; the default is tantivy (`keyword_tantivy.py`, bench/README.md "Keyword engines").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence

from indexer.index import store
from indexer.index.keyword_engine import FIELDS, KeywordDoc, Ranked
from indexer.search.filters import Filters
from indexer.search.query import query_terms

# bm25 column weights, in FIELDS order: context counts less than what was said (see bench/README.md)
WEIGHTS = (1.0, 0.6, 0.6, 0.3, 0.6)

_DDL = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    {", ".join(FIELDS)}, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


def create(conn: sqlite3.Connection) -> None:
    conn.executescript(_DDL)


def add(conn: sqlite3.Connection, rows: Sequence[tuple[int, str, Mapping[str, str]]]) -> None:
    """Index (passage id, spoken text, context fields) rows; the id is the passage's and its vector's."""
    conn.executemany(
        f"INSERT INTO passages_fts(rowid, {', '.join(FIELDS)}) VALUES (?,?,?,?,?,?)",
        [(pid, text, ctx["title"], ctx["chapter"], ctx["podcast"], ctx["speakers"]) for pid, text, ctx in rows],
    )


def remove(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    conn.executemany("DELETE FROM passages_fts WHERE rowid = ?", [(i,) for i in ids])


def match_expression(terms: Sequence[str]) -> str | None:
    """Terms as an FTS5 expression of quoted strings joined by OR: operators in the input stay words."""
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def search(conn: sqlite3.Connection, terms: Sequence[str], k: int, where: tuple[str, list[object]]) -> Ranked:
    """Best k passages by bm25 (higher is better here); `where` (over `p` passages and `e` episodes, from
    `store.filter_clause`) applies inside the same query, before ranking."""
    expr = match_expression(terms)
    if expr is None or k <= 0:
        return []
    condition, params = where
    weights = ", ".join(str(w) for w in WEIGHTS)
    sql = (
        f"SELECT f.rowid AS id, bm25(passages_fts, {weights}) AS score FROM passages_fts f "
        "JOIN passages p ON p.id = f.rowid JOIN episodes e ON e.id = p.episode_id "
        f"WHERE passages_fts MATCH ? AND {condition} ORDER BY score LIMIT ?"
    )
    return [(int(r["id"]), -float(r["score"])) for r in conn.execute(sql, [expr, *params, k])]


def fts_query(text: str) -> str | None:
    """The FTS5 expression for a user's text: its `query_terms`, quoted and joined by OR."""
    return match_expression(query_terms(text))


class Fts5Engine:
    """The `KeywordEngine` over the FTS5 table of a generation's SQLite (written and committed with it)."""

    name = "fts5"

    def __init__(self, conn: sqlite3.Connection, *, create_table: bool = False) -> None:
        self.conn = conn
        if create_table:
            create(conn)

    def add(self, docs: Sequence[KeywordDoc]) -> None:
        add(self.conn, [(d.id, d.fields["text"], d.fields) for d in docs])

    def remove(self, ids: Sequence[int]) -> None:
        remove(self.conn, ids)

    def compact(self, docs: Iterable[KeywordDoc]) -> None:
        """Merge the table's b-trees (FTS5 deletes in place; nothing to rebuild)."""
        self.conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")

    def flush(self) -> None:
        """Nothing of its own: the table is committed with the SQLite store."""

    def drop(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS passages_fts")

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM passages_fts").fetchone()[0])

    def search(self, terms: Sequence[str], k: int, filters: Filters) -> Ranked:
        return search(self.conn, terms, k, store.filter_clause(filters))

    def close(self) -> None:
        """The connection is the Index's; it closes it."""
