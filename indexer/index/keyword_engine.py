"""The keyword engine seam: what the index writes to and asks a keyword engine, whichever engine it is.

Two engines sit behind it: `keyword_tantivy.py` (the default: a tantivy index in the generation directory) and
`keyword_fts5.py` (an SQLite FTS5 table in `passages.sqlite`). Both index the spoken words and the same context
fields, weigh a word said above the same word in the context, stem English, take the query's terms with OR
semantics, rank by BM25 (higher is better) and apply the filters before ranking.

The manifest records which engine built an index, and an index is always read and updated with that engine:
`PODQUERY_KEYWORD_ENGINE` chooses the engine of new indexes only, as `PODQUERY_FAISS_FACTORY` does (an index
from before tantivy has no record and is FTS5; `updates.switch_keyword_engine` converts one without re-embedding).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from indexer.datamodel import Episode, Passage
from indexer.passages.context import context_fields
from indexer.search.filters import Filters

ENGINES = ("tantivy", "fts5")
# what an index without a recorded engine was built with: every index before tantivy had FTS5
LEGACY_ENGINE = "fts5"

# what a passage is indexed with: spoken text, episode title, chapter title, podcast, speakers
FIELDS = ("text", "title", "chapter", "podcast", "speakers")

Ranked = list[tuple[int, float]]


@dataclass(frozen=True)
class KeywordDoc:
    """One passage as a keyword engine sees it: its words and context (`FIELDS`), and what filters test."""

    id: int
    fields: dict[str, str]  # FIELDS -> text
    episode_id: str
    podcast: str
    kind: str
    speakers: tuple[str, ...]
    published: str | None


def keyword_doc(pid: int, episode: Episode, passage: Passage) -> KeywordDoc:
    """The keyword document of a passage about to be written (the same as `store.keyword_docs` reads back)."""
    return KeywordDoc(id=pid, fields={"text": passage.text, **context_fields(episode, passage)},
                      episode_id=episode.id, podcast=episode.podcast, kind=passage.kind,
                      speakers=tuple(passage.speakers), published=episode.published)


class KeywordEngine(Protocol):
    """A keyword engine over one generation. Writable ones are filled, then `flush`ed once before the manifest
    names the generation; read-only ones only `search` and `count`."""

    name: str

    def add(self, docs: Sequence[KeywordDoc]) -> None: ...

    def remove(self, ids: Sequence[int]) -> None: ...

    def compact(self, docs: Iterable[KeywordDoc]) -> None:
        """Drop what removals left behind; `docs` is every live passage, for engines that rebuild."""

    def flush(self) -> None:
        """Make everything written durable inside the generation directory (the writer fsyncs the files)."""

    def drop(self) -> None:
        """Delete this engine's data from the generation (switching an index to the other engine)."""

    def count(self) -> int: ...

    def search(self, terms: Sequence[str], k: int, filters: Filters) -> Ranked:
        """Best k (passage id, BM25 score) for the OR of `terms` among the passages the filters allow."""

    def close(self) -> None: ...
