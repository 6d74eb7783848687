"""Feed items to EpisodeSources: find each item's transcript and chapters locally, or download them when asked.

Where a file is looked for, for an item with guid G (its id when it has no guid) that links a transcript (or
chapters) URL whose last path segment is N, in this order:

1. `DIR/media-map.json`, if present: a JSON object with two kinds of keys (paths are relative to DIR and may not
   leave it: no absolute paths, and no `..` or symlink leading out):
   - `"guid:G": {"transcript": "path", "chapters": "path"}` (either key optional; a bare string is the transcript).
     This wins over the feed's links: it is how a transcript the feed does not link is attached (the Changelog's
     markdown transcripts, see bench/make_media_dir.py).
   - `"<URL exactly as in the feed>": "path"`.
2. `DIR/<media_key(G)>/N`: one folder per episode, for hosts that give every episode the same file name
   (Transistor's `transcription.vtt`). `media_key` keeps `[A-Za-z0-9._-]` and turns any other character into `_`.
3. `DIR/N`, unless several items of the feed link a file named N (load_feed passes those names as
   `shared_names`): then the file could be any of theirs, so it is never guessed.

A feed's transcripts are tried best format first (`rss.best_transcript` order); the first found that parses wins.
Every path found in the media folder must lead, symlinks followed, to a file inside it (`paths.confine`): a map
entry that does not is an InputError naming the entry and field; a guessed file that does not is skipped with a
warning. With `fetch=True` the links not found locally are downloaded by `fetch.py` (http(s) to public hosts, one
10 s deadline, a size cap; nothing is written to disk). The default is no network at all. A transcript that is
missing or does not parse is a warning on the EpisodeSource: the episode is still indexed from its summary and chapters.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from hashlib import sha1
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from indexer.datamodel import Chapter, EpisodeSource, Transcript, finish_chapters
from indexer.errors import InputError
from indexer.ingest.fetch import MAX_DOWNLOAD_BYTES, fetch_url
from indexer.ingest.files import read_text_file
from indexer.ingest.formats.chapters import parse_chapters_json
from indexer.ingest.formats.rss import MAX_FEED_BYTES, FeedItem, TranscriptRef, parse_feed, transcript_rank
from indexer.ingest.jsonvalues import load_json
from indexer.ingest.paths import confine, inside
from indexer.ingest.registry import name_with_suffix, parse_transcript

log = logging.getLogger(__name__)

__all__ = ["MAX_DOWNLOAD_BYTES", "MediaMap", "fetch_url", "load_feed", "load_media_map", "media_key",
           "resolve_feed_item", "url_file_name"]

MEDIA_MAP = "media-map.json"


@dataclass
class MediaMap:
    """`media-map.json` read: files per guid (`transcript`, `chapters`) and files per URL."""

    by_guid: dict[str, dict[str, str]] = field(default_factory=dict)
    by_url: dict[str, str] = field(default_factory=dict)


def media_key(guid: str) -> str:
    """The folder name for a guid: unsafe characters to `_`; long guids shortened with a hash to stay unique."""
    key = re.sub(r"[^A-Za-z0-9._-]", "_", guid).strip(".") or "_"
    return key if len(key) <= 100 else f"{key[:80]}-{sha1(guid.encode()).hexdigest()[:12]}"


def url_file_name(url: str) -> str:
    """The last path segment of a URL, decoded; '' when there is none usable as a file name."""
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    return "" if name in ("", ".", "..") or "\\" in name or "\x00" in name else name


def load_media_map(media_dir: Path) -> MediaMap:
    """`DIR/media-map.json` (empty when absent); InputError naming the key when an entry is malformed."""
    path = media_dir / MEDIA_MAP
    if not path.is_file():
        return MediaMap()
    try:
        data = load_json(read_text_file(path))
    except InputError as exc:
        raise exc.at(str(path)) from None
    if not isinstance(data, dict):
        raise InputError('expected an object {"guid:<guid>": {"transcript": path}, "<url>": path}', source=str(path))
    out = MediaMap()
    for key, value in data.items():
        entry = {"transcript": value} if isinstance(value, str) else value
        if not isinstance(entry, dict) or not all(k in ("transcript", "chapters") and isinstance(v, str)
                                                  for k, v in entry.items()):
            raise InputError('expected a path or {"transcript": path, "chapters": path}', source=str(path), where=key)
        for name, rel in entry.items():
            try:
                confine(media_dir, rel, "the media folder")
            except InputError as exc:
                raise InputError(exc.problem, source=str(path), where=f"{key}: {name}") from None
        if key.startswith("guid:"):
            out.by_guid[key[5:]] = entry
        else:
            out.by_url[key] = entry.get("transcript") or entry.get("chapters", "")
    return out


def resolve_feed_item(item: FeedItem, media_dir: Path | None, fetch: bool = False, *, media_map: MediaMap | None = None,
                      shared_names: frozenset[str] = frozenset(), origin: str = "") -> EpisodeSource:
    """The item as an EpisodeSource with its transcript and JSON chapters read from DIR (or the web if `fetch`)."""
    if media_map is None:
        media_map = load_media_map(media_dir) if media_dir else MediaMap()
    episode, warnings = item.episode, list(item.warnings)
    mapped = media_map.by_guid.get(item.guid or episode.id, {})
    finder = _Finder(media_dir, media_map, item.guid or episode.id, shared_names, warnings)
    transcript: Transcript | None = None
    if mapped.get("transcript") and media_dir:
        transcript = _read_transcript(media_dir / mapped["transcript"], "", episode.duration_s, warnings)
    refs = sorted(item.transcripts, key=transcript_rank)
    for ref in refs if transcript is None else []:
        path = finder.find(ref.url)
        transcript = _read_transcript(path, ref.type, episode.duration_s, warnings) if path else None
        if transcript:
            break
    for ref in refs if transcript is None and fetch else []:
        transcript = _parse_download(ref, episode.duration_s, warnings)
        if transcript:
            break
    if transcript is None:
        warnings.append(_missing_note(refs, media_dir, fetch, finder.looked_for))
    chapters = _chapters(item, media_dir, mapped, finder, fetch, warnings)
    if chapters is not None:
        finished, notes = finish_chapters(chapters, episode.duration_s)
        episode, warnings = replace(episode, chapters=finished), warnings + notes
    return EpisodeSource(episode=episode, transcript=transcript, origin=origin or episode.url or episode.id,
                         warnings=warnings)


def load_feed(path: Path, media_dir: Path | None = None, fetch: bool = False) -> list[EpisodeSource | InputError]:
    """Every item of a feed file as an EpisodeSource (or the InputError that stopped it); never raises.

    A feed that cannot be read at all, or a bad media folder, gives a one-element list holding its error.
    """
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise InputError(f"over the {MAX_FEED_BYTES // 2**20} MiB limit for a feed", source=str(path))
        feed = parse_feed(path.read_bytes(), str(path))
        if media_dir is not None and not media_dir.is_dir():
            raise InputError("media folder not found (give the folder holding the transcripts)", source=str(media_dir))
        media_map = load_media_map(media_dir) if media_dir else MediaMap()
    except InputError as exc:
        return [exc]
    except OSError as exc:
        return [InputError(f"cannot read the feed: {exc.strerror or exc}", source=str(path))]
    for warning in feed.warnings:
        log.warning("%s: %s", path, warning)
    names: Counter[str] = Counter()
    for item in feed.items:
        urls = [item.chapters_url or "", *(r.url for r in item.transcripts)]
        names.update({url_file_name(url) for url in urls} - {""})
    shared = frozenset(name for name, count in names.items() if count > 1)
    out: list[EpisodeSource | InputError] = []
    for item in feed.items:
        try:
            out.append(resolve_feed_item(item, media_dir, fetch, media_map=media_map, shared_names=shared,
                                         origin=f"{path}#{item.episode.id}"))
        except InputError as exc:
            out.append(exc.at(f"{path}#{item.episode.id}"))
    return out


class _Finder:
    """Looks a linked URL up in the media folder by the rules of the module docstring; remembers where it looked."""

    def __init__(self, media_dir: Path | None, media_map: MediaMap, guid: str, shared: frozenset[str],
                 warnings: list[str]) -> None:
        self.media_dir, self.media_map, self.guid, self.shared = media_dir, media_map, guid, shared
        self.warnings = warnings  # the episode's: a file refused for leading out of the folder is reported there
        self.looked_for: list[str] = []

    def find(self, url: str) -> Path | None:
        if self.media_dir is None:
            return None
        name = url_file_name(url)
        candidates = [self.media_dir / self.media_map.by_url[url]] if url in self.media_map.by_url else []
        if name:
            candidates.append(self.media_dir / media_key(self.guid) / name)
            if name not in self.shared:
                candidates.append(self.media_dir / name)
        self.looked_for += [str(c) for c in candidates]
        for candidate in (c for c in candidates if c.is_file()):
            if inside(candidate, self.media_dir):
                return candidate
            # a symlink (the file, or a folder above it) leading out of the media folder: never read
            self.warnings.append(f"not read: {candidate} leads outside the media folder ({self.media_dir}) "
                                 "through a symlink")
        return None


def _chapters(item: FeedItem, media_dir: Path | None, mapped: dict[str, str], finder: _Finder, fetch: bool,
              warnings: list[str]) -> list[Chapter] | None:
    """JSON chapters of the item (they win over in-feed ones: richer and the publisher's latest), or None."""
    path = media_dir / mapped["chapters"] if mapped.get("chapters") and media_dir else None
    path = path or (finder.find(item.chapters_url) if item.chapters_url else None)
    try:
        if path is not None:
            return parse_chapters_json(read_text_file(path))
        if item.chapters_url and fetch:
            return parse_chapters_json(_decode(_download(item.chapters_url), item.chapters_url))
    except InputError as exc:
        warnings.append(f"chapters not read: {exc.at(str(path or item.chapters_url))}")
    return None


def _read_transcript(path: Path, mime: str, duration_s: float | None, warnings: list[str]) -> Transcript | None:
    try:
        return parse_transcript(read_text_file(path), name_with_suffix(str(path), mime), duration_s)
    except InputError as exc:
        warnings.append(f"transcript not read: {exc.at(str(path))}")
        return None


def _parse_download(ref: TranscriptRef, duration_s: float | None, warnings: list[str]) -> Transcript | None:
    try:
        text = _decode(_download(ref.url), ref.url)
        return parse_transcript(text, name_with_suffix(url_file_name(ref.url) or "transcript", ref.type), duration_s)
    except InputError as exc:
        warnings.append(f"transcript not downloaded: {exc.at(ref.url)}")
        return None


def _missing_note(refs: list[TranscriptRef], media_dir: Path | None, fetch: bool, looked_for: list[str]) -> str:
    if not refs:
        return "no transcript: indexed from the summary and chapters"
    if media_dir is None and not fetch:
        return (f"transcript not read: the feed links {len(refs)} ({refs[0].url}); give a media folder or allow "
                "fetching to use it; indexed from the summary and chapters")
    more = f" and {len(looked_for) - 1} more places" if len(looked_for) > 1 else ""
    where = f"; looked for {looked_for[0]}{more}" if looked_for else ""
    return f"transcript not found{where}; indexed from the summary and chapters"


def _decode(data: bytes, source: str) -> str:
    """Downloaded bytes as UTF-8 text (BOM dropped); local files are read by corpus_files.read_text_file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=source) from None


def _download(url: str) -> bytes:
    """`fetch_url` with this module's cap, read at call time so that it can be lowered here (tests do)."""
    return fetch_url(url, max_bytes=MAX_DOWNLOAD_BYTES)
