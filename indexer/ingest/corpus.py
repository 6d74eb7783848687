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
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indexer.datamodel import Chapter, Episode, EpisodeSource, Transcript, finish_chapters
from indexer.errors import InputError
from indexer.ingest.files import (
    classify,
    parse_chapters_file,
    parse_transcript_file,
    path_key,
    read_text_file,
    siblings,
    transcript_rank,
    utf8_path,
)
from indexer.ingest.formats.chapters import parse_chapter_list
from indexer.ingest.formats.record_json import RecordJSON, parse_records_text
from indexer.ingest.formats.record_text import read_record_text, sniff_record_text

log = logging.getLogger(__name__)

NO_TRANSCRIPT = "no transcript: indexed from summary, highlights and chapters"
NO_RECORD = "no record: id and title are the file name"


@dataclass
class LoadResult:
    """Everything `collect_sources` read: episodes, errors (one per failed file or record) and skipped files."""

    episodes: list[EpisodeSource] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "path: why", for files that are not episodes


@dataclass
class _Planned:
    """An episode found while planning; its transcript and chapters files are read only when it is loaded."""

    order: tuple[int, int]
    episode: Episode
    origin: str
    record_path: Path | None = None
    record_where: str = ""  # "line 3" for a record in a JSON Lines file
    transcript_path: Path | None = None
    transcript: Transcript | None = None
    chapters_path: Path | None = None
    warnings: list[str] = field(default_factory=list)


def load_sources(paths: Iterable[Path | str], media_dir: Path | None = None,
                 fetch: bool = False) -> Iterator[EpisodeSource | InputError]:
    """Episodes (and errors, in walk order) from files and directories laid out as the module docstring says.

    Feeds are read with `indexer.feeds.load_feed`: their transcript and chapters links resolve into `media_dir`,
    and over HTTP only when `fetch` is set.
    """
    loader = _Loader(media_dir, fetch)
    yield from loader.run([Path(p) for p in paths])


def collect_sources(paths: Iterable[Path | str]) -> LoadResult:
    """`load_sources` gathered into lists, plus the files skipped as not being episodes."""
    loader = _Loader()
    result = LoadResult(skipped=loader.skipped)
    for item in loader.run([Path(p) for p in paths]):
        if isinstance(item, InputError):
            result.errors.append(item)
        else:
            result.episodes.append(item)
    return result


class _Loader:
    """Two passes: plan (walk, parse the small record files, pair files) then load transcripts one at a time."""

    def __init__(self, media_dir: Path | None = None, fetch: bool = False) -> None:
        self.media_dir = media_dir
        self.fetch = fetch
        self.feeds: list[Path] = []
        self.skipped: list[str] = []
        self.errors: list[tuple[tuple[int, int], InputError]] = []
        self.planned: list[_Planned] = []
        self.consumed: set[str] = set()
        self.transcripts: dict[tuple[str, str], list[Path]] = {}  # (dir key, stem) -> candidate files
        self.chapters: dict[tuple[str, str], Path] = {}
        self.order: dict[str, int] = {}

    def run(self, paths: list[Path]) -> Iterator[EpisodeSource | InputError]:
        self._plan(paths)
        items: list[tuple[tuple[int, int], _Planned | InputError]] = list(self.errors)
        items += [(p.order, p) for p in self._deduplicated()]
        for _, item in sorted(items, key=lambda pair: pair[0]):
            if isinstance(item, InputError):
                log.debug("%s", item)  # the caller reports errors; logging them too would print each twice
                yield item
                continue
            try:
                yield self._load(item)
            except InputError as err:
                log.debug("%s", err)
                yield err
        for feed in self.feeds:
            from indexer.ingest.feeds import load_feed  # the XML stack loads only when a feed is given

            yield from load_feed(feed, self.media_dir, self.fetch)

    def _skip(self, path: Path, why: str, level: int = logging.INFO) -> None:
        log.log(level, "skipped %s: %s", path, why)
        self.skipped.append(f"{path}: {why}")

    def _walk(self, paths: list[Path]) -> list[Path]:
        files: list[Path] = []
        for i, top in enumerate(paths):
            if top.is_dir():
                found = []
                for dirpath, dirnames, filenames in os.walk(top):
                    dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                    found += [Path(dirpath) / f for f in filenames if not f.startswith(".")]
                files += sorted(found, key=lambda p: p.parts)
            elif top.exists():
                files.append(top)
                files += siblings(top)  # a record named alone still finds its transcript and chapters
            else:
                self.errors.append(((-1, i), InputError("no such file or directory", source=str(top))))
        unique: dict[str, Path] = {}
        for f in files:
            unique.setdefault(path_key(f), f)  # overlapping arguments name a file once
        return list(unique.values())

    def _plan(self, paths: list[Path]) -> None:
        records: list[tuple[int, Path, list[RecordJSON | InputError | tuple[Episode, list[str]]]]] = []
        for n, path in enumerate(self._walk(paths)):
            self.order[path_key(path)] = n
            if not utf8_path(path):
                self.errors.append(((n, 0), InputError("the file name is not valid UTF-8: rename the file",
                                                       source=os.fsencode(path).decode("utf-8", "backslashreplace"))))
                continue
            kind, stem = classify(path.name)
            where = (path_key(path.parent), stem)
            if kind == "feed":
                self.feeds.append(path)
            elif kind == "doc":
                self._skip(path, "documentation, not an episode")
            elif kind == "other":
                self._skip(path, "not a record, transcript or chapters file", logging.DEBUG)
            elif kind == "chapters":
                self.chapters[where] = path
            elif kind == "transcript":
                self.transcripts.setdefault(where, []).append(path)
            else:  # record or txt: both need reading now (a .txt is a record only if it sniffs as one)
                try:
                    text = read_text_file(path)
                except InputError as err:
                    self.errors.append(((n, 0), err))
                    continue
                if kind == "record":
                    records.append((n, path, [r.at(str(path)) if isinstance(r, InputError) else r
                                              for r in parse_records_text(text, path.name)]))
                elif sniff_record_text(text):
                    try:
                        records.append((n, path, [read_record_text(text, fallback_id=stem)]))
                    except InputError as err:
                        records.append((n, path, [err.at(str(path))]))
                else:
                    self.transcripts.setdefault(where, []).append(path)
        referenced = {path_key(path.parent / ref) for _, path, parsed in records for r in parsed
                      if isinstance(r, RecordJSON) for ref in (r.transcript_path, r.chapters_path) if ref}
        for n, path, parsed in records:
            if path_key(path) in referenced:
                continue  # a record names this .json as its transcript or chapters file: it is data, not a record
            for i, item in enumerate(parsed):
                if isinstance(item, InputError):
                    self.errors.append(((n, i), item))
                else:
                    self._plan_record(n, i, path, item)
        self._plan_lone_transcripts()
        for path in self.chapters.values():
            if path_key(path) not in self.consumed:
                self._skip(path, "chapters file with no record or transcript of the same name beside it",
                           logging.WARNING)

    def _plan_record(self, n: int, i: int, path: Path, item: RecordJSON | tuple[Episode, list[str]]) -> None:
        if isinstance(item, RecordJSON):
            plan = _Planned(order=(n, i), episode=item.episode, record_path=path, record_where=item.where,
                            transcript=item.transcript,
                            origin=f"{path}:{item.where}" if item.where else str(path),
                            warnings=list(item.warnings))
            if item.transcript_path:
                plan.transcript_path = path.parent / item.transcript_path
                self.consumed.add(path_key(plan.transcript_path))
            if item.chapters_path:
                plan.chapters_path = path.parent / item.chapters_path
                self.consumed.add(path_key(plan.chapters_path))
        else:
            episode, warnings = item
            plan = _Planned(order=(n, i), episode=episode, record_path=path, origin=str(path), warnings=warnings)
        # One record per file pairs by file stem; records in a JSON Lines file or an array pair by id.
        stem = plan.episode.id if plan.record_where else classify(path.name)[1]
        where = (path_key(path.parent), stem)
        group = self.transcripts.get(where, [])
        if plan.transcript_path is None and plan.transcript is None and group:
            plan.transcript_path = min(group, key=transcript_rank)
        for extra in group:
            if plan.transcript_path is None or path_key(extra) != path_key(plan.transcript_path):
                used = plan.transcript_path.name if plan.transcript_path else "inline in the record"
                plan.warnings.append(f"ignored {extra.name}: the episode's transcript is {used}")
        self.consumed.update(path_key(p) for p in group)
        sibling = self.chapters.get(where)
        if sibling is not None:
            self.consumed.add(path_key(sibling))
            if plan.chapters_path is None and not plan.episode.chapters:
                plan.chapters_path = sibling
            elif plan.chapters_path is None or path_key(plan.chapters_path) != path_key(sibling):
                plan.warnings.append(f"ignored {sibling.name}: the record has its own chapters")
        self.planned.append(plan)

    def _plan_lone_transcripts(self) -> None:
        for (dir_key, stem), candidates in self.transcripts.items():
            left = [p for p in candidates if path_key(p) not in self.consumed]
            if not left:
                continue
            chosen = min(left, key=transcript_rank)
            plan = _Planned(order=(self.order[path_key(chosen)], 0), episode=Episode(id=stem, title=stem),
                            origin=str(chosen), transcript_path=chosen, warnings=[NO_RECORD])
            plan.warnings += [f"ignored {p.name}: the episode's transcript is {chosen.name}"
                              for p in left if p is not chosen]
            self.consumed.update(path_key(p) for p in left)
            if (chapters := self.chapters.get((dir_key, stem))) is not None:
                plan.chapters_path = chapters
                self.consumed.add(path_key(chapters))
            self.planned.append(plan)

    def _deduplicated(self) -> list[_Planned]:
        winners: dict[str, _Planned] = {}
        for plan in sorted(self.planned, key=lambda p: p.order):
            loser = winners.pop(plan.episode.id, None)
            if loser is not None:
                message = (f"duplicate episode id {plan.episode.id!r}: replaces the one from {loser.origin} "
                           "(the later file wins)")
                log.debug("%s: %s", plan.origin, message)
                plan.warnings.append(message)
            winners[plan.episode.id] = plan
        return list(winners.values())

    def _load(self, plan: _Planned) -> EpisodeSource:
        episode, warnings = plan.episode, list(plan.warnings)
        transcript = plan.transcript
        if plan.transcript_path is not None:
            text = self._read_named(plan, plan.transcript_path, "transcript")
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
            text = self._read_named(plan, plan.chapters_path, "chapters")
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

    def _read_named(self, plan: _Planned, path: Path, what: str) -> str:
        """Read a transcript/chapters file; a path the record names but that is absent is the record's error."""
        if not path.is_file() and plan.record_path is not None:
            raise InputError(f"{what} file not found: {path} (paths in a record are relative to the record file)",
                             source=str(plan.record_path),
                             where=f"{plan.record_where}: field {what}" if plan.record_where else f"field {what}")
        return read_text_file(path)
