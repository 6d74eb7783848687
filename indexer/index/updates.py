"""Build, add to and remove from an index: read sources, report what was skipped, write a generation."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from indexer.datamodel import EpisodeSource
from indexer.errors import InputError
from indexer.index.embedding import Embedder
from indexer.index.manifest import Manifest
from indexer.index.writer import IndexWriter
from indexer.ingest.corpus import load_sources
from indexer.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    """What a build or update did: counts, the files it skipped (with why), warnings, time taken."""

    episodes: int = 0
    passages: int = 0
    embedded: int = 0
    removed: int = 0
    skipped: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    manifest: Manifest | None = None


def read_sources(paths: Sequence[Path], report: BuildReport, media_dir: Path | None = None,
                 fetch: bool = False) -> list[EpisodeSource]:
    """Every episode the paths hold; unreadable files go to `report.skipped`, warnings to `report.warnings`."""
    sources: list[EpisodeSource] = []
    for item in load_sources(list(paths), media_dir, fetch):
        if isinstance(item, InputError):
            log.warning("skipped %s", item)
            report.skipped.append(item)
            continue
        sources.append(item)
        transcript_warnings = item.transcript.warnings if item.transcript else []
        for warning in [*item.warnings, *transcript_warnings]:
            report.warnings.append(f"{item.origin or item.episode.id}: {warning}")
    return sources


def build(paths: Sequence[Path], out: Path, settings: Settings, embedder: Embedder, *, progress: bool = False,
          media_dir: Path | None = None, fetch: bool = False) -> BuildReport:
    """A fresh index of everything under `paths`, swapped in atomically over any index already at `out`."""
    report = BuildReport()
    sources = read_sources(paths, report, media_dir, fetch)
    return write(out, settings, embedder, report, sources, fresh=True, progress=progress)


def add(paths: Sequence[Path], out: Path, settings: Settings, embedder: Embedder, *, progress: bool = False,
        media_dir: Path | None = None, fetch: bool = False) -> BuildReport:
    """Add or replace the episodes under `paths` in an existing index; unchanged passages are not re-embedded."""
    report = BuildReport()
    sources = read_sources(paths, report, media_dir, fetch)
    return write(out, settings, embedder, report, sources, fresh=False, progress=progress)


def build_sources(sources: Iterable[EpisodeSource], out: Path, settings: Settings, embedder: Embedder, *,
                  progress: bool = False) -> BuildReport:
    """A fresh index of already-parsed episodes, swapped in atomically over any index already at `out`."""
    return write(out, settings, embedder, BuildReport(), list(sources), fresh=True, progress=progress)


def add_sources(sources: Iterable[EpisodeSource], out: Path, settings: Settings, embedder: Embedder) -> BuildReport:
    """Add or replace already-parsed episodes (the service's POST /episodes)."""
    return write(out, settings, embedder, BuildReport(), list(sources), fresh=False)


def remove(episode_ids: Sequence[str], out: Path, settings: Settings, embedder: Embedder | None = None) -> BuildReport:
    """Remove episodes by id; an unknown id fails the whole change (nothing is removed). Needs no model."""
    return write(out, settings, embedder, BuildReport(), [], fresh=False, remove=episode_ids)


def compact(out: Path, settings: Settings, embedder: Embedder | None = None) -> BuildReport:
    """Drop the vectors of removed passages that an index type without removal (HNSW) still holds. Needs no model."""
    return write(out, settings, embedder, BuildReport(), [], fresh=False, compact=True)


def write(out: Path, settings: Settings, embedder: Embedder | None, report: BuildReport,
          sources: list[EpisodeSource], *, fresh: bool, progress: bool = False, remove: Sequence[str] = (),
          compact: bool = False) -> BuildReport:
    """One change as one new generation: remove, then add or replace `sources`, then compact; committed whole or
    not at all. The embedder may be None when nothing is added."""
    started = time.perf_counter()
    with IndexWriter(out, embedder, settings, fresh=fresh) as writer:
        if remove:
            report.removed = writer.remove(remove)
        report.passages = writer.add(sources, progress=progress)
        report.episodes = len({s.episode.id for s in sources})
        report.embedded = writer.embedded
        if compact:
            report.removed = writer.compact()
        report.manifest = writer.commit()
    report.seconds = time.perf_counter() - started
    log.info("wrote %s: %d episodes, %d passages (%d embedded) in %.1fs", out, report.episodes, report.passages,
             report.embedded, report.seconds)
    return report


def switch_keyword_engine(out: Path, settings: Settings, engine: str) -> BuildReport:
    """Re-index an index's stored passages with another keyword engine ("tantivy" or "fts5") as a new generation:
    no model and no sources needed, the vectors are kept. How an FTS5 index becomes a tantivy one."""
    report = BuildReport()
    started = time.perf_counter()
    with IndexWriter(out, None, settings, fresh=False) as writer:
        report.passages = writer.switch_keyword_engine(engine)
        report.manifest = writer.commit()
    report.seconds = time.perf_counter() - started
    return report
