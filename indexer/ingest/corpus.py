"""Read a corpus directory (or files) into episodes: records paired with their transcripts and chapters.

Corpus layout (also in README.md):

* Files and directories are walked recursively in sorted order; hidden files and directories are skipped.
* A **record** is a `*.json` file (one record object, or an array of them), a `*.jsonl` file (one record per
  line), or a `*.txt` file whose first line is `Episode` (the record text format). `*.chapters.json` and
  `*.transcript.json` are never records.
* A record's **transcript** is its `transcript` field (a path relative to the record file, or inline
  segments), else a file beside it with the same stem: `ep.transcript.json`, `ep.vtt`, `ep.srt`, `ep.html`,
  `ep.md`, `ep.txt` (the first of these present wins; the others are reported and not read). Records from a
  `.jsonl` file or a JSON array pair by episode id instead of the file stem (`<id>.vtt`).
* A record's **chapters** are its `chapters` field (inline, or a path to a chapters file), else
  `ep.chapters.json` (Podcasting 2.0 JSON chapters), else a `0:00 Title` list found in its summary.
* A transcript with no record beside it is an episode on its own: id and title are the file stem, with a
  warning "no record". Files consumed as a record's transcript or chapters are not read again as episodes.
* A file named on its own (not inside a directory argument) brings its same-stem siblings with it, so
  `load_sources([Path("ep.json")])` still finds `ep.vtt` and `ep.chapters.json`.
* Feeds (`*.xml`, `*.rss`), documentation (`README`, `LICENSE`, `ATTRIBUTION`... any suffix) and other files
  are skipped and listed in `LoadResult.skipped` (and logged).

An episode loads whole or not at all: a bad record field, a missing or unreadable transcript/chapters file
(including a `transcript` path that does not exist) yields an `InputError` naming the file instead of the
episode, and loading goes on with the other files. Episodes without a transcript get the warning
`NO_TRANSCRIPT`. When two episodes share an id the later one (in walk order) wins, with a warning.

Two passes: `pairing.py` plans (walks, reads the small record files, pairs files into episodes), then this module
loads the planned episodes one at a time, reading and parsing their transcripts and chapters.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indexer.datamodel import Chapter, EpisodeSource, finish_chapters
from indexer.errors import InputError
from indexer.ingest.files import parse_chapters_file, parse_transcript_file, read_text_file
from indexer.ingest.formats.chapters import parse_chapter_list
from indexer.ingest.pairing import NO_RECORD, Plan, PlannedEpisode, plan_episodes

__all__ = ["NO_RECORD", "NO_TRANSCRIPT", "LoadResult", "collect_sources", "load_sources"]

log = logging.getLogger(__name__)

NO_TRANSCRIPT = "no transcript: indexed from summary, highlights and chapters"


@dataclass
class LoadResult:
    """Everything `collect_sources` read: episodes, errors (one per failed file or record) and skipped files."""

    episodes: list[EpisodeSource] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "path: why", for files that are not episodes


def load_sources(paths: Iterable[Path | str], media_dir: Path | None = None,
                 fetch: bool = False) -> Iterator[EpisodeSource | InputError]:
    """Episodes (and errors, in walk order) from files and directories laid out as the module docstring says.

    Feeds are read with `indexer.feeds.load_feed`: their transcript and chapters links resolve into `media_dir`,
    and over HTTP only when `fetch` is set.
    """
    yield from _load_plan(plan_episodes([Path(p) for p in paths]), media_dir, fetch)


def collect_sources(paths: Iterable[Path | str]) -> LoadResult:
    """`load_sources` gathered into lists, plus the files skipped as not being episodes."""
    plan = plan_episodes([Path(p) for p in paths])
    result = LoadResult(skipped=plan.skipped)
    for item in _load_plan(plan):
        if isinstance(item, InputError):
            result.errors.append(item)
        else:
            result.episodes.append(item)
    return result


def _load_plan(plan: Plan, media_dir: Path | None = None, fetch: bool = False
               ) -> Iterator[EpisodeSource | InputError]:
    """The planned episodes loaded one at a time (transcripts are read here, not while planning), then the feeds."""
    for item in plan.items:
        if isinstance(item, InputError):
            log.debug("%s", item)  # the caller reports errors; logging them too would print each twice
            yield item
            continue
        try:
            yield _load(item)
        except InputError as err:
            log.debug("%s", err)
            yield err
    for feed in plan.feeds:
        from indexer.ingest.feeds import load_feed  # the XML stack loads only when a feed is given

        yield from load_feed(feed, media_dir, fetch)


def _load(plan: PlannedEpisode) -> EpisodeSource:
    episode, warnings = plan.episode, list(plan.warnings)
    transcript = plan.transcript
    if plan.transcript_path is not None:
        text = _read_named(plan, plan.transcript_path, "transcript")
        transcript = parse_transcript_file(text, plan.transcript_path, episode.duration_s)
        if not transcript.segments:
            warnings.append(f"transcript {plan.transcript_path.name} has no text")
            transcript = None
    end = episode.duration_s
    if end is None and transcript is not None and transcript.segments:
        last = transcript.segments[-1]
        end = max(last.start_s, last.end_s or last.start_s)
    chapters: list[Chapter] = []
    if plan.chapters_path is not None:
        text = _read_named(plan, plan.chapters_path, "chapters")
        chapters = parse_chapters_file(text, plan.chapters_path)
    elif not episode.chapters and episode.summary:
        chapters = parse_chapter_list(episode.summary)
        if chapters:
            log.debug("%s: chapters taken from the timestamp list in the summary", plan.origin)
    if chapters:
        episode.chapters, chapter_warnings = finish_chapters(chapters, end)
        warnings += chapter_warnings
    if transcript is None:
        warnings.append(NO_TRANSCRIPT)
    return EpisodeSource(episode=episode, transcript=transcript, origin=plan.origin, warnings=warnings)


def _read_named(plan: PlannedEpisode, path: Path, what: str) -> str:
    """Read a transcript/chapters file; a path the record names but that is absent is the record's error."""
    if not path.is_file() and plan.record_path is not None:
        raise InputError(f"{what} file not found: {path} (paths in a record are relative to the record file)",
                         source=str(plan.record_path),
                         where=f"{plan.record_where}: field {what}" if plan.record_where else f"field {what}")
    return read_text_file(path)
