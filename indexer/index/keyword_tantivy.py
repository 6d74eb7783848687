"""The tantivy keyword engine (the default): a tantivy index in `gen-.../keyword.tantivy/`, BM25 with block-max WAND.

What is indexed, stemmed by tantivy's `en_stem`: `body`, the passage's words and its context (`keyword_engine.FIELDS`:
episode title, chapter title, podcast, speakers) as one field, and `text`, the spoken words alone. A query term
scores BM25 over `body` plus `SPOKEN` times its BM25 over `text`. One field over the whole row is how FTS5 scores
(one length, one saturation per term, its column weights scaling counts inside it); a BM25 per field, summed with
FTS5's weights, lost 0.09 MRR on the Lexicap dev set, while this matches FTS5 there (bench/README.md "Keyword
engines"). The small spoken share keeps a word said above the same word in a title.

Queries are built as objects, never parsed: each of the user's terms is cut into tokens by the same analyzer as
`en_stem` and every (token, field) becomes a boosted term query, OR'd, so no input can be an operator or a syntax
error.
Filters are term and range queries over untokenized fields of their own (ids from SQLite for a date bound that is
not a day), required beside the words with a zero score, so they apply before ranking and leave BM25 as it was.

An update hard-links the base generation's files into the new one: tantivy never rewrites a file (new segments,
deletes and `meta.json` are new files or atomic renames), so the old generation stays as it was while its
readers finish.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import tantivy

from indexer.index import store
from indexer.index.keyword_engine import FIELDS, KeywordDoc, Ranked
from indexer.search.filters import Filters

DIR = "keyword.tantivy"
WRITER_HEAP = 64_000_000  # bytes tantivy buffers before it writes a segment
# weight of a term's BM25 over the spoken words, beside its BM25 over the whole row (weight 1); LX-A MRR 0.613 /
# 0.598 / 0.588 with 0 / 0.1 / 0.25, FTS5 0.576: 0.1 keeps spoken words first at no measurable cost
SPOKEN = 0.1
SCORED = (("body", 1.0), ("text", SPOKEN))
# what tantivy's `en_stem` does to text, rebuilt here to cut the query's terms the way the fields were cut
ANALYZER = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("english")).build())
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# SQLite's NOCASE folds ASCII letters only; the podcast and speaker filters fold the same way
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("id", indexed=True, fast=True)  # the passage id: removal by term, results by fast field
    for name, _ in SCORED:
        b.add_text_field(name, tokenizer_name="en_stem", index_option="freq")  # BM25 needs no positions
    for name in ("podcast_key", "episode", "kind", "speaker_key"):
        b.add_text_field(name, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("day", indexed=True)  # published as YYYYMMDD
    return b.build()


def _fold(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def _day(text: str | None) -> int | None:
    return int(text[:10].replace("-", "")) if text and _DAY.match(text[:10]) else None


def _document(d: KeywordDoc) -> tantivy.Document:
    body = "\n".join(d.fields[name] for name in FIELDS if d.fields[name])
    doc = tantivy.Document(id=d.id, body=body, text=d.fields["text"], podcast_key=_fold(d.podcast),
                           episode=d.episode_id, kind=d.kind)
    for speaker in d.speakers:
        doc.add_text("speaker_key", _fold(speaker))
    if (day := _day(d.published)) is not None:
        doc.add_integer("day", day)
    return doc


class TantivyEngine:
    """The `KeywordEngine` over `<generation>/keyword.tantivy`; writable while its generation is being written."""

    name = "tantivy"

    def __init__(self, gen_dir: Path, conn: sqlite3.Connection, *, writable: bool = False,
                 base: Path | None = None) -> None:
        """Open the generation's index read-only, or for writing: a new one, or (`base`, the generation an
        update starts from) a hard-linked copy of the base's."""
        self.path = gen_dir / DIR
        self.conn = conn  # for date bounds that are not days: the same SQL as the other filters
        if writable and base is not None:
            shutil.copytree(base / DIR, self.path, copy_function=os.link,
                            ignore=shutil.ignore_patterns(".tantivy-*.lock"))
        if writable and base is None:
            self.path.mkdir()
            index = tantivy.Index(_schema(), path=str(self.path))
        else:
            index = tantivy.Index.open(str(self.path))
        index.config_reader(reload_policy="manual")  # a generation never changes once published
        self._index: tantivy.Index | None = index
        self._schema = index.schema
        self._writer = index.writer(heap_size=WRITER_HEAP, num_threads=1) if writable else None

    def _open(self) -> tantivy.Index:
        if self._index is None:
            raise RuntimeError(f"internal: {self.path} was closed")
        return self._index

    def _writing(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise RuntimeError(f"internal: {self.path} is open read-only")
        return self._writer

    def add(self, docs: Sequence[KeywordDoc]) -> None:
        writer = self._writing()
        for d in docs:
            writer.add_document(_document(d))

    def remove(self, ids: Sequence[int]) -> None:
        writer = self._writing()
        for i in ids:
            writer.delete_documents_by_term("id", i)

    def compact(self, docs: Iterable[KeywordDoc]) -> None:
        """Rebuild from the live passages: new segments without the deleted documents removals left behind."""
        writer = self._writing()
        writer.delete_all_documents()
        for d in docs:
            writer.add_document(_document(d))

    def flush(self) -> None:
        """Commit, and wait for the merges it started, so the directory is complete before the manifest names it."""
        writer = self._writing()
        writer.commit()
        writer.wait_merging_threads()
        self._writer = None
        self._open().reload()

    def drop(self) -> None:
        self._writer = None
        shutil.rmtree(self.path, ignore_errors=True)

    def count(self) -> int:
        return int(self._open().searcher().num_docs)

    def search(self, terms: Sequence[str], k: int, filters: Filters) -> Ranked:
        tokens = list(dict.fromkeys(tok for term in terms for tok in ANALYZER.analyze(term)))
        if not tokens or k <= 0:
            return []
        words = tantivy.Query.boolean_query([(tantivy.Occur.Should, self._term(field, token, weight))
                                             for token in tokens for field, weight in SCORED])
        query = words
        if filters.active():
            allowed = tantivy.Query.const_score_query(self._filter(filters), 0.0)
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, words), (tantivy.Occur.Must, allowed)])
        searcher = self._open().searcher()
        hits = searcher.search(query, limit=k, count=False).hits
        ids = searcher.fast_field_values("id", [address for _, address in hits])
        return [(int(pid), float(score)) for (score, _), pid in zip(hits, ids, strict=True) if pid is not None]

    def _term(self, field: str, token: str, weight: float) -> tantivy.Query:
        query = tantivy.Query.term_query(self._schema, field, token, index_option="freq")
        return query if weight == 1.0 else tantivy.Query.boost_query(query, weight)

    def _filter(self, filters: Filters) -> tantivy.Query:
        """All the filters as one query; the same passages as `store.filter_clause` allows."""
        after, before = _day(filters.after), _day(filters.before)
        if (filters.after is not None and after is None) or (filters.before is not None and before is None):
            # a bound like "2024" compares as text in SQL; no integer range says that, the ids from SQLite do
            return tantivy.Query.term_set_query(self._schema, "id", store.filtered_ids(self.conn, filters))
        must: list[tantivy.Query] = []
        for field, value in (("podcast_key", filters.podcast), ("episode", filters.episode), ("kind", filters.kind),
                             ("speaker_key", filters.speaker)):
            if value is not None:
                exact = value if field in ("episode", "kind") else _fold(value)
                must.append(tantivy.Query.term_query(self._schema, field, exact, index_option="basic"))
        if after is not None or before is not None:
            must.append(tantivy.Query.range_query(self._schema, "day", tantivy.FieldType.Integer, after, before))
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])

    def close(self) -> None:
        """Let go of the index: its memory maps of files a newer generation's writer deletes go with it."""
        self._writer = None
        self._index = None
