"""The SQLite side of an index: episodes, chapters, passages, and an FTS5 table for keyword search."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .model import Chapter, Episode, Passage
from .terms import fts_query

SCHEMA = """
CREATE TABLE IF NOT EXISTS episodes (
    id TEXT PRIMARY KEY, podcast TEXT NOT NULL, title TEXT NOT NULL, published TEXT, duration_s REAL,
    url TEXT, audio_url TEXT, summary TEXT NOT NULL, topics TEXT NOT NULL, highlights TEXT NOT NULL,
    people TEXT NOT NULL, origin TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS chapters (
    episode_id TEXT NOT NULL REFERENCES episodes(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    title TEXT NOT NULL, start_s REAL NOT NULL, end_s REAL, description TEXT NOT NULL,
    PRIMARY KEY (episode_id, idx)
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY, episode_id TEXT NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
    kind TEXT NOT NULL, text TEXT NOT NULL, start_s REAL, end_s REAL, chapter_index INTEGER,
    chapter_title TEXT, speakers TEXT NOT NULL, time_estimated INTEGER NOT NULL, marks TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_episode ON passages(episode_id);
-- ids whose vectors are still in a FAISS index that cannot remove (HNSW); searches skip them, compact drops them
CREATE TABLE IF NOT EXISTS tombstones (id INTEGER PRIMARY KEY);
CREATE INDEX IF NOT EXISTS episodes_podcast ON episodes(podcast);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    text, title, chapter, podcast, speakers, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""

# bm25 column weights: spoken text, episode title, chapter title, podcast, speakers (see bench/README.md)
FTS_WEIGHTS = (1.0, 0.6, 0.6, 0.3, 0.6)

@dataclass(frozen=True)
class Filters:
    """Restrictions applied before ranking. Dates are ISO strings compared on their first 10 characters."""

    podcast: str | None = None
    episode: str | None = None
    speaker: str | None = None
    kind: str | None = None
    after: str | None = None  # inclusive
    before: str | None = None  # inclusive

    def active(self) -> bool:
        return any(v is not None for v in (self.podcast, self.episode, self.speaker, self.kind, self.after, self.before))

    def where(self) -> tuple[str, list[object]]:
        """SQL condition over `p` (passages) and `e` (episodes), with parameters; never user text in SQL."""
        clauses: list[str] = []
        params: list[object] = []
        if self.podcast is not None:
            clauses.append("e.podcast = ? COLLATE NOCASE")
            params.append(self.podcast)
        if self.episode is not None:
            clauses.append("p.episode_id = ?")
            params.append(self.episode)
        if self.kind is not None:
            clauses.append("p.kind = ?")
            params.append(self.kind)
        if self.speaker is not None:
            clauses.append("EXISTS (SELECT 1 FROM json_each(p.speakers) s WHERE s.value = ? COLLATE NOCASE)")
            params.append(self.speaker)
        if self.after is not None:
            clauses.append("substr(e.published, 1, 10) >= ?")
            params.append(self.after[:10])
        if self.before is not None:
            clauses.append("substr(e.published, 1, 10) <= ?")
            params.append(self.before[:10])
        return (" AND ".join(clauses) or "1"), params


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection usable from any thread (the service serialises writes; readers share it read-only)."""
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def create(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


def write_episode(conn: sqlite3.Connection, episode: Episode, origin: str = "") -> None:
    """Insert or replace an episode's metadata and chapters (its passages are written separately)."""
    conn.execute(
        "INSERT OR REPLACE INTO episodes VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (episode.id, episode.podcast, episode.title, episode.published, episode.duration_s, episode.url,
         episode.audio_url, episode.summary, json.dumps(episode.topics), json.dumps(episode.highlights),
         json.dumps(episode.people), origin),
    )
    conn.execute("DELETE FROM chapters WHERE episode_id = ?", (episode.id,))
    conn.executemany(
        "INSERT INTO chapters VALUES (?,?,?,?,?,?)",
        [(episode.id, c.index, c.title, c.start_s, c.end_s, c.description) for c in episode.chapters],
    )


def write_passages(conn: sqlite3.Connection, episode: Episode, rows: Sequence[tuple[int, Passage]]) -> None:
    """Insert passages with the ids their vectors carry in FAISS, and their keyword entries."""
    conn.executemany(
        "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(pid, p.episode_id, p.kind, p.text, p.start_s, p.end_s, p.chapter_index, p.chapter_title,
          json.dumps(list(p.speakers)), int(p.time_estimated), json.dumps([list(m) for m in p.marks]),
          p.content_hash) for pid, p in rows],
    )
    conn.executemany(
        "INSERT INTO passages_fts(rowid, text, title, chapter, podcast, speakers) VALUES (?,?,?,?,?,?)",
        [(pid, p.text, episode.title, p.chapter_title or "", episode.podcast, " ".join(p.speakers))
         for pid, p in rows],
    )


def delete_episode(conn: sqlite3.Connection, episode_id: str) -> list[int]:
    """Remove an episode with its chapters, passages and keyword entries; returns the passage ids removed."""
    ids = [r[0] for r in conn.execute("SELECT id FROM passages WHERE episode_id = ?", (episode_id,))]
    conn.executemany("DELETE FROM passages_fts WHERE rowid = ?", [(i,) for i in ids])
    conn.execute("DELETE FROM passages WHERE episode_id = ?", (episode_id,))
    conn.execute("DELETE FROM chapters WHERE episode_id = ?", (episode_id,))
    conn.execute("DELETE FROM episodes WHERE id = ?", (episode_id,))
    return ids


def add_tombstones(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    conn.executemany("INSERT OR IGNORE INTO tombstones VALUES (?)", [(i,) for i in ids])


def next_passage_id(conn: sqlite3.Connection) -> int:
    """One past every id used so far, tombstoned ones included, so no FAISS id is ever given twice."""
    row = conn.execute("SELECT max(coalesce((SELECT max(id) FROM passages), 0), "
                       "coalesce((SELECT max(id) FROM tombstones), 0))").fetchone()
    return int(row[0]) + 1


def keyword_search(conn: sqlite3.Connection, query: str, k: int, filters: Filters) -> list[tuple[int, float]]:
    """Best k passages by FTS5 bm25 (higher is better here), filters applied inside the same query."""
    expr = fts_query(query)
    if expr is None or k <= 0:
        return []
    where, params = filters.where()
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    sql = (
        f"SELECT f.rowid AS id, bm25(passages_fts, {weights}) AS score FROM passages_fts f "
        "JOIN passages p ON p.id = f.rowid JOIN episodes e ON e.id = p.episode_id "
        f"WHERE passages_fts MATCH ? AND {where} ORDER BY score LIMIT ?"
    )
    return [(int(r["id"]), -float(r["score"])) for r in conn.execute(sql, [expr, *params, k])]


def filtered_ids(conn: sqlite3.Connection, filters: Filters) -> list[int]:
    """Ids of every passage the filters allow: what the FAISS ID selector is built from."""
    where, params = filters.where()
    sql = f"SELECT p.id FROM passages p JOIN episodes e ON e.id = p.episode_id WHERE {where}"
    return [int(r[0]) for r in conn.execute(sql, params)]


def passages_by_id(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, sqlite3.Row]:
    """Passage rows joined with their episode's display fields, keyed by id."""
    ids = list(ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    sql = (
        "SELECT p.*, e.title AS episode_title, e.podcast AS podcast, e.published AS published, "
        "e.url AS episode_url, e.audio_url AS audio_url, c.start_s AS chapter_start_s "
        "FROM passages p JOIN episodes e ON e.id = p.episode_id "
        "LEFT JOIN chapters c ON c.episode_id = p.episode_id AND c.idx = p.chapter_index "
        f"WHERE p.id IN ({marks})"
    )
    return {int(r["id"]): r for r in conn.execute(sql, ids)}


def row_to_episode(row: sqlite3.Row, chapters: list[sqlite3.Row]) -> Episode:
    return Episode(
        id=row["id"], podcast=row["podcast"], title=row["title"], published=row["published"],
        duration_s=row["duration_s"], url=row["url"], audio_url=row["audio_url"], summary=row["summary"],
        topics=json.loads(row["topics"]), highlights=json.loads(row["highlights"]), people=json.loads(row["people"]),
        chapters=[Chapter(c["idx"], c["title"], c["start_s"], c["end_s"], c["description"]) for c in chapters],
    )


def get_episode(conn: sqlite3.Connection, episode_id: str) -> Episode | None:
    row = conn.execute("SELECT * FROM episodes WHERE id = ?", (episode_id,)).fetchone()
    if row is None:
        return None
    chapters = conn.execute("SELECT * FROM chapters WHERE episode_id = ? ORDER BY idx", (episode_id,)).fetchall()
    return row_to_episode(row, chapters)


def counts(conn: sqlite3.Connection) -> dict[str, object]:
    by_kind = {r[0]: r[1] for r in conn.execute("SELECT kind, count(*) FROM passages GROUP BY kind")}
    return {
        "tombstones": conn.execute("SELECT count(*) FROM tombstones").fetchone()[0],
        "episodes": conn.execute("SELECT count(*) FROM episodes").fetchone()[0],
        "podcasts": conn.execute("SELECT count(DISTINCT podcast) FROM episodes").fetchone()[0],
        "passages": sum(by_kind.values()),
        "passages_by_kind": by_kind,
    }


def list_episodes(conn: sqlite3.Connection, podcast: str | None = None, limit: int = 20,
                  offset: int = 0) -> tuple[list[sqlite3.Row], int]:
    """One page of episodes (newest first, undated last) with their passage counts, and the total that match."""
    where, params = ("e.podcast = ? COLLATE NOCASE", [podcast]) if podcast is not None else ("1", [])
    total = conn.execute(f"SELECT count(*) FROM episodes e WHERE {where}", params).fetchone()[0]
    sql = (
        "SELECT e.id, e.podcast, e.title, e.published, e.duration_s, e.url, e.audio_url, "
        "(SELECT count(*) FROM passages p WHERE p.episode_id = e.id) AS passages, "
        "(SELECT count(*) FROM chapters c WHERE c.episode_id = e.id) AS chapters "
        f"FROM episodes e WHERE {where} "
        "ORDER BY e.published IS NULL, e.published DESC, e.podcast, e.title, e.id LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, [*params, limit, offset]).fetchall(), int(total)


def list_podcasts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every podcast by name with its episode count and latest publication date (`name`, `episodes`, `latest`)."""
    sql = ("SELECT podcast AS name, count(*) AS episodes, max(published) AS latest FROM episodes "
           "GROUP BY podcast ORDER BY podcast COLLATE NOCASE")
    return conn.execute(sql).fetchall()
