"""The SQLite side of an index: episodes, chapters, passages and tombstones; every SQL statement of the project
lives here or in `keyword_fts5.py` (the keyword engines are written to by the writer, not from here)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from indexer.datamodel import Chapter, Episode, Passage
from indexer.index.keyword_engine import KeywordDoc
from indexer.index.records import EpisodeListing, IndexCounts, PodcastListing, StoredPassage
from indexer.search.filters import Filters

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
    chapter_title TEXT, speakers TEXT NOT NULL, time_estimated INTEGER NOT NULL,
    marks TEXT NOT NULL,  -- Passage.segment_starts as JSON
    content_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_episode ON passages(episode_id);
-- ids whose vectors are still in a FAISS index that cannot remove (HNSW); searches skip them, compact drops them
CREATE TABLE IF NOT EXISTS tombstones (id INTEGER PRIMARY KEY);
CREATE INDEX IF NOT EXISTS episodes_podcast ON episodes(podcast);
"""


def filter_clause(filters: Filters) -> tuple[str, list[object]]:
    """SQL condition over `p` (passages) and `e` (episodes), with parameters; never user text in SQL."""
    clauses: list[str] = []
    params: list[object] = []
    if filters.podcast is not None:
        clauses.append("e.podcast = ? COLLATE NOCASE")
        params.append(filters.podcast)
    if filters.episode is not None:
        clauses.append("p.episode_id = ?")
        params.append(filters.episode)
    if filters.kind is not None:
        clauses.append("p.kind = ?")
        params.append(filters.kind)
    if filters.speaker is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(p.speakers) s WHERE s.value = ? COLLATE NOCASE)")
        params.append(filters.speaker)
    if filters.after is not None:
        clauses.append("substr(e.published, 1, 10) >= ?")
        params.append(filters.after[:10])
    if filters.before is not None:
        clauses.append("substr(e.published, 1, 10) <= ?")
        params.append(filters.before[:10])
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
    """Insert passages with the ids their vectors carry in FAISS (the keyword engine gets them from the writer)."""
    conn.executemany(
        "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(pid, p.episode_id, p.kind, p.text, p.start_s, p.end_s, p.chapter_index, p.chapter_title,
          json.dumps(list(p.speakers)), int(p.time_estimated), json.dumps([list(m) for m in p.segment_starts]),
          p.content_hash) for pid, p in rows],
    )


def delete_episode(conn: sqlite3.Connection, episode_id: str) -> list[int]:
    """Remove an episode with its chapters and passages; returns the passage ids removed (for the vectors and
    the keyword engine)."""
    ids = [r[0] for r in conn.execute("SELECT id FROM passages WHERE episode_id = ?", (episode_id,))]
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


def filtered_ids(conn: sqlite3.Connection, filters: Filters) -> list[int]:
    """Ids of every passage the filters allow: what the FAISS ID selector is built from."""
    where, params = filter_clause(filters)
    sql = f"SELECT p.id FROM passages p JOIN episodes e ON e.id = p.episode_id WHERE {where}"
    return [int(r[0]) for r in conn.execute(sql, params)]


def passages_by_id(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, StoredPassage]:
    """Passage rows joined with their episode's display fields, keyed by id."""
    ids = list(ids)
    if not ids:
        return {}
    placeholders = ",".join("?" * len(ids))
    sql = (
        "SELECT p.*, e.title AS episode_title, e.podcast AS podcast, e.published AS published, "
        "e.url AS episode_url, e.audio_url AS audio_url, e.duration_s AS duration_s, c.start_s AS chapter_start_s "
        "FROM passages p JOIN episodes e ON e.id = p.episode_id "
        "LEFT JOIN chapters c ON c.episode_id = p.episode_id AND c.idx = p.chapter_index "
        f"WHERE p.id IN ({placeholders})"
    )
    return {int(r["id"]): _stored_passage(r) for r in conn.execute(sql, ids)}


def _stored_passage(r: sqlite3.Row) -> StoredPassage:
    return StoredPassage(
        id=int(r["id"]), episode_id=r["episode_id"], kind=r["kind"], text=r["text"], start_s=r["start_s"],
        end_s=r["end_s"], chapter_index=r["chapter_index"], chapter_title=r["chapter_title"],
        chapter_start_s=r["chapter_start_s"], speakers=tuple(json.loads(r["speakers"])),
        time_estimated=bool(r["time_estimated"]),
        segment_starts=tuple((int(o), float(s)) for o, s in json.loads(r["marks"])),
        episode_title=r["episode_title"], podcast=r["podcast"], published=r["published"],
        episode_url=r["episode_url"], audio_url=r["audio_url"], duration_s=r["duration_s"],
    )


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


def counts(conn: sqlite3.Connection) -> IndexCounts:
    by_kind = {r[0]: r[1] for r in conn.execute("SELECT kind, count(*) FROM passages GROUP BY kind")}
    return {
        "tombstones": conn.execute("SELECT count(*) FROM tombstones").fetchone()[0],
        "episodes": conn.execute("SELECT count(*) FROM episodes").fetchone()[0],
        "podcasts": conn.execute("SELECT count(DISTINCT podcast) FROM episodes").fetchone()[0],
        "passages": sum(by_kind.values()),
        "passages_by_kind": by_kind,
    }


def list_episodes(conn: sqlite3.Connection, podcast: str | None = None, limit: int = 20,
                  offset: int = 0) -> tuple[list[EpisodeListing], int]:
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
    rows = [EpisodeListing(**dict(r)) for r in conn.execute(sql, [*params, limit, offset])]
    return rows, int(total)


def list_podcasts(conn: sqlite3.Connection) -> list[PodcastListing]:
    """Every podcast by name with its episode count and latest publication date (`name`, `episodes`, `latest`)."""
    sql = ("SELECT podcast AS name, count(*) AS episodes, max(published) AS latest FROM episodes "
           "GROUP BY podcast ORDER BY podcast COLLATE NOCASE")
    return [PodcastListing(**dict(r)) for r in conn.execute(sql)]


def episode_passages(conn: sqlite3.Connection, episode_id: str) -> list[tuple[int, str, float | None, float | None]]:
    """(id, kind, start_s, end_s) of every passage of an episode, in id order: what evaluation judges hits by."""
    sql = "SELECT id, kind, start_s, end_s FROM passages WHERE episode_id = ? ORDER BY id"
    return [(int(r[0]), r[1], r[2], r[3]) for r in conn.execute(sql, (episode_id,))]


def content_hashes(conn: sqlite3.Connection, episode_id: str) -> list[tuple[str, int]]:
    """(content hash, passage id) of an episode's passages: which vectors an update can keep."""
    return [(r[0], int(r[1])) for r in conn.execute(
        "SELECT content_hash, id FROM passages WHERE episode_id = ?", (episode_id,))]


def keyword_docs(conn: sqlite3.Connection, batch: int = 5000) -> Iterator[KeywordDoc]:
    """Every live passage as its keyword document, in id order, read in batches: what a keyword engine is
    rebuilt from (compaction, switching engines) without the sources or the model."""
    sql = ("SELECT p.id, p.text, p.chapter_title, p.speakers, p.kind, p.episode_id, e.title, e.podcast, e.published "
           "FROM passages p JOIN episodes e ON e.id = p.episode_id WHERE p.id > ? ORDER BY p.id LIMIT ?")
    last = -1
    while rows := conn.execute(sql, (last, batch)).fetchall():
        for r in rows:
            speakers = tuple(json.loads(r["speakers"]))
            fields = {"text": r["text"], "podcast": r["podcast"], "title": r["title"],
                      "chapter": r["chapter_title"] or "", "speakers": ", ".join(speakers)}
            yield KeywordDoc(id=int(r["id"]), fields=fields, episode_id=r["episode_id"], podcast=r["podcast"],
                             kind=r["kind"], speakers=speakers, published=r["published"])
        last = int(rows[-1]["id"])


def passage_ids(conn: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT id FROM passages ORDER BY id")]


def clear_tombstones(conn: sqlite3.Connection) -> int:
    """Forget the removed passages whose vectors are gone; returns how many there were."""
    dropped = int(conn.execute("SELECT count(*) FROM tombstones").fetchone()[0])
    conn.execute("DELETE FROM tombstones")
    return dropped


def optimize(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA optimize")

