"""One file of a corpus: what kind it is by its name, its text (UTF-8, size-capped), and its transcript or
chapters parsed, every failure an InputError naming the file. `corpus.py` pairs these files into episodes."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from indexer.datamodel import Chapter, Transcript
from indexer.errors import InputError
from indexer.ingest.formats.chapters import parse_chapter_list, parse_chapters_json
from indexer.ingest.registry import CORPUS_TRANSCRIPT_SUFFIXES, corpus_rank, parse_transcript

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024  # far above any real transcript; stops a stray video or dump being read
FEED_SUFFIXES = (".xml", ".rss")
CHAPTERS_SUFFIX = ".chapters.json"
DOC_STEMS = frozenset({"readme", "license", "licence", "attribution", "notice", "copying", "contributing",
                       "authors", "changelog"})


def read_text_file(path: Path) -> str:
    """A file as UTF-8 text (BOM dropped), or InputError for oversized, unreadable or non-UTF-8 files."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"file is {size} bytes, over the {MAX_FILE_BYTES} byte limit "
                             "(corpus_files.MAX_FILE_BYTES); is it really a transcript or record?", source=str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("not valid UTF-8 (save the file as UTF-8)", source=str(path),
                         where=f"byte offset {exc.start}") from None
    return text.removeprefix("\ufeff")


def utf8_path(path: Path) -> bool:
    """Whether the path is text: an undecodable name (surrogate escapes) would become an id no index can store."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def path_key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def classify(name: str) -> tuple[str, str]:
    """(kind, stem) for a file name: kind is record, txt, transcript, chapters, feed, doc or other."""
    low = name.lower()
    if low.endswith(CHAPTERS_SUFFIX):
        return "chapters", name[: -len(CHAPTERS_SUFFIX)]
    if low.endswith(".transcript.json"):
        return "transcript", name[: -len(".transcript.json")]
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower()
    if suffix in FEED_SUFFIXES:
        return "feed", stem
    if stem.lower() in DOC_STEMS:
        return "doc", stem
    if suffix in (".json", ".jsonl"):
        return "record", stem
    if suffix == ".txt":
        return "txt", stem
    if suffix in CORPUS_TRANSCRIPT_SUFFIXES:
        return "transcript", stem
    return "other", stem


def siblings(path: Path) -> list[Path]:
    """Files beside `path` with the same stem that could pair with it (record, transcript, chapters)."""
    stem = classify(path.name)[1]
    names = {stem + s for s in (*CORPUS_TRANSCRIPT_SUFFIXES, CHAPTERS_SUFFIX, ".json", ".jsonl")} - {path.name}
    return sorted(path.parent / n for n in names if (path.parent / n).is_file())


def transcript_rank(path: Path) -> int:
    """0 for the most useful transcript file of a stem (the order of `registry.FORMATS`)."""
    return corpus_rank(path.name)


def parse_transcript_file(text: str, path: Path, duration_s: float | None) -> Transcript:
    try:
        return parse_transcript(text, name=str(path), duration_s=duration_s)
    except InputError as err:
        raise err.at(str(path)) from None
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        # A reader bug must not stop a 10,000-episode load; the file is reported and the rest load.
        log.debug("reader failed on %s", path, exc_info=True)
        raise InputError(f"could not be read ({type(exc).__name__}: {exc})", source=str(path)) from None


def parse_chapters_file(text: str, path: Path) -> list[Chapter]:
    try:
        if path.name.lower().endswith(".json"):
            return parse_chapters_json(text)
        chapters = parse_chapter_list(text)
    except InputError as err:
        raise err.at(str(path)) from None
    if not chapters:
        raise InputError("no chapters found: expected Podcasting 2.0 JSON or lines like \"0:00 Title\"",
                         source=str(path))
    return chapters
