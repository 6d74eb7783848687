"""Which files make which episode: the planning pass of corpus loading, before any transcript is read.

The walk classifies every file, reads only the small record files, and pairs each record with its transcript and
chapters files by directory and stem (or by episode id, for records in a JSON Lines file or an array); what is
left over becomes an episode on its own or a skipped file. The rules are the corpus layout in `corpus.py`'s
docstring; `corpus.py` then loads the planned episodes one at a time, so a big corpus is never held whole.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from indexer.datamodel import Episode, Transcript, check_id
from indexer.errors import InputError
from indexer.ingest.files import classify, path_key, read_text_file, siblings, transcript_rank, utf8_path
from indexer.ingest.formats.record_json import RecordJSON, parse_records_text
from indexer.ingest.formats.record_text import read_record_text, sniff_record_text
from indexer.ingest.paths import confine

log = logging.getLogger(__name__)

NO_RECORD = "no record: id and title are the file name"

Order = tuple[int, int]  # (file number in walk order, record number in the file)
_Parsed = RecordJSON | InputError | tuple[Episode, list[str]]  # a record file's records, as read


@dataclass
class PlannedEpisode:
    """An episode found while planning; its transcript and chapters files are read only when it is loaded."""

    order: Order
    episode: Episode
    origin: str
    record_path: Path | None = None
    record_where: str = ""  # "line 3" for a record in a JSON Lines file
    transcript_path: Path | None = None
    transcript: Transcript | None = None
    chapters_path: Path | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What the walk found: episodes to load and errors, in walk order; feeds to read; files that are not episodes."""

    items: list[PlannedEpisode | InputError]
    feeds: list[Path]
    skipped: list[str]  # "path: why"


def plan_episodes(paths: list[Path]) -> Plan:
    """Walk `paths` and pair their files into episodes; when two share an id the later one wins, with a warning."""
    planner = _Planner()
    planner.plan(paths)
    items: list[tuple[Order, PlannedEpisode | InputError]] = list(planner.errors)
    items += [(p.order, p) for p in planner.deduplicated()]
    ordered = [item for _, item in sorted(items, key=lambda pair: pair[0])]
    return Plan(ordered, planner.feeds, planner.skipped)


class _Planner:
    """The walk's state: files grouped by (directory, stem) until a record claims them."""

    def __init__(self) -> None:
        self.feeds: list[Path] = []
        self.skipped: list[str] = []
        self.errors: list[tuple[Order, InputError]] = []
        self.planned: list[PlannedEpisode] = []
        self.consumed: set[str] = set()
        self.transcripts: dict[tuple[str, str], list[Path]] = {}  # (dir key, stem) -> candidate files
        self.chapters: dict[tuple[str, str], Path] = {}
        self.order: dict[str, int] = {}
        # the folder each walked file was found under (the directory argument, or a file argument's folder): what a
        # record's `transcript` and `chapters` paths may not lead out of
        self.roots: dict[str, Path] = {}

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
                for f in found:  # a file under two arguments belongs to the first, as in the walk
                    self.roots.setdefault(path_key(f), top)
            elif top.exists():
                named = [top, *siblings(top)]  # a record named alone still finds its transcript and chapters
                files += named
                for f in named:
                    self.roots.setdefault(path_key(f), top.parent)
            else:
                self.errors.append(((-1, i), InputError("no such file or directory", source=str(top))))
        unique: dict[str, Path] = {}
        for f in files:
            unique.setdefault(path_key(f), f)  # overlapping arguments name a file once
        return list(unique.values())

    def plan(self, paths: list[Path]) -> None:
        records = self._classify(paths)
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

    def _classify(self, paths: list[Path]) -> list[tuple[int, Path, list[_Parsed]]]:
        """Sort the walked files into feeds, transcripts, chapters and skipped files; read and return the records."""
        records: list[tuple[int, Path, list[_Parsed]]] = []
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
        return records

    def _plan_record(self, n: int, i: int, path: Path, item: RecordJSON | tuple[Episode, list[str]]) -> None:
        if isinstance(item, RecordJSON):
            plan = PlannedEpisode(order=(n, i), episode=item.episode, record_path=path, record_where=item.where,
                                  transcript=item.transcript,
                                  origin=f"{path}:{item.where}" if item.where else str(path),
                                  warnings=list(item.warnings))
            try:
                plan.transcript_path = self._named(path, item, "transcript", item.transcript_path)
                plan.chapters_path = self._named(path, item, "chapters", item.chapters_path)
            except InputError as err:
                self.errors.append(((n, i), err))
                return
        else:
            episode, warnings = item
            plan = PlannedEpisode(order=(n, i), episode=episode, record_path=path, origin=str(path),
                                  warnings=warnings)
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

    def _named(self, path: Path, item: RecordJSON, what: str, rel: str | None) -> Path | None:
        """The file a record's `transcript`/`chapters` field names (relative to the record), or None.

        InputError naming the record and field when the path is absolute or leads, through `..` or a symlink, out
        of the folder the record was found under (the corpus folder given), as paths in records may not.
        """
        if not rel:
            return None
        root = self.roots.get(path_key(path), path.parent)
        try:
            named = confine(root, rel, "the corpus folder", base=path.parent)
        except InputError as exc:
            where = f"{item.where}: field {what}" if item.where else f"field {what}"
            raise InputError(f"{what} {exc.problem} (paths in a record are relative to the record file)",
                             source=str(path), where=where) from None
        self.consumed.add(path_key(named))
        return named

    def _plan_lone_transcripts(self) -> None:
        for (dir_key, stem), candidates in self.transcripts.items():
            left = [p for p in candidates if path_key(p) not in self.consumed]
            if not left:
                continue
            chosen = min(left, key=transcript_rank)
            self.consumed.update(path_key(p) for p in left)
            try:
                check_id(stem, "file name", "the id taken from the file name")
            except InputError as err:  # a file name cannot be over 255 bytes, but it can hold a newline
                self.errors.append(((self.order[path_key(chosen)], 0), err.at(str(chosen))))
                if (chapters := self.chapters.get((dir_key, stem))) is not None:
                    self.consumed.add(path_key(chapters))  # reported with the transcript, not as a stray file
                continue
            plan = PlannedEpisode(order=(self.order[path_key(chosen)], 0), episode=Episode(id=stem, title=stem),
                                  origin=str(chosen), transcript_path=chosen, warnings=[NO_RECORD])
            plan.warnings += [f"ignored {p.name}: the episode's transcript is {chosen.name}"
                              for p in left if p is not chosen]
            if (chapters := self.chapters.get((dir_key, stem))) is not None:
                plan.chapters_path = chapters
                self.consumed.add(path_key(chapters))
            self.planned.append(plan)

    def deduplicated(self) -> list[PlannedEpisode]:
        winners: dict[str, PlannedEpisode] = {}
        for plan in sorted(self.planned, key=lambda p: p.order):
            loser = winners.pop(plan.episode.id, None)
            if loser is not None:
                message = (f"duplicate episode id {plan.episode.id!r}: replaces the one from {loser.origin} "
                           "(the later file wins)")
                log.debug("%s: %s", plan.origin, message)
                plan.warnings.append(message)
            winners[plan.episode.id] = plan
        return list(winners.values())
