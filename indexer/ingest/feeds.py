"""Feed items to EpisodeSources: find each item's transcript and chapters locally, or download them when asked.

Where a file is looked for, for an item with guid G (its id when it has no guid) that links a transcript (or
chapters) URL whose last path segment is N, in this order:

1. `DIR/media-map.json`, if present: a JSON object with two kinds of keys (paths are relative to DIR and may not
   leave it, i.e. no absolute paths and no `..`):
   - `"guid:G": {"transcript": "path", "chapters": "path"}` (either key optional; a bare string is the transcript).
     This wins over the feed's links: it is how a transcript the feed does not link is attached (the Changelog's
     markdown transcripts, see bench/make_media_dir.py).
   - `"<URL exactly as in the feed>": "path"`.
2. `DIR/<media_key(G)>/N`: one folder per episode, for hosts that give every episode the same file name
   (Transistor's `transcription.vtt`). `media_key` keeps `[A-Za-z0-9._-]` and turns any other character into `_`.
3. `DIR/N`, unless several items of the feed link a file named N (load_feed passes those names as
   `shared_names`): then the file could be any of theirs, so it is never guessed.

A feed's transcripts are tried best format first (`rss.best_transcript` order); the first found that parses wins.
With `fetch=True` the links not found locally are downloaded: http(s) only (redirects too), a 10 s timeout and a
size cap; nothing is written to disk. The default is no network at all. A transcript that is missing or does not
parse is a warning on the EpisodeSource: the episode is still indexed from its summary and chapters.
"""

from __future__ import annotations

import http.client
import logging
import re
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field, replace
from hashlib import sha1
from pathlib import Path, PurePath, PurePosixPath
from typing import IO
from urllib.parse import unquote, urljoin, urlsplit

from indexer.datamodel import Chapter, EpisodeSource, Transcript, finish_chapters
from indexer.errors import InputError
from indexer.ingest.files import read_text_file
from indexer.ingest.formats.chapters import parse_chapters_json
from indexer.ingest.formats.rss import MAX_FEED_BYTES, FeedItem, TranscriptRef, parse_feed, transcript_rank
from indexer.ingest.jsonvalues import load_json
from indexer.ingest.registry import name_with_suffix, parse_transcript

log = logging.getLogger(__name__)

FETCH_TIMEOUT_S = 10.0
MAX_DOWNLOAD_BYTES = 20 * 2**20  # JSON transcripts of 3-hour episodes are a few MB
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
        for rel in entry.values():
            if PurePath(rel).is_absolute() or ".." in PurePath(rel).parts:
                raise InputError(f"path {rel!r} leaves the media folder", source=str(path), where=key)
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
    finder = _Finder(media_dir, media_map, item.guid or episode.id, shared_names)
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

    def __init__(self, media_dir: Path | None, media_map: MediaMap, guid: str, shared: frozenset[str]) -> None:
        self.media_dir, self.media_map, self.guid, self.shared = media_dir, media_map, guid, shared
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
        return next((c for c in candidates if c.is_file()), None)


def _chapters(item: FeedItem, media_dir: Path | None, mapped: dict[str, str], finder: _Finder, fetch: bool,
              warnings: list[str]) -> list[Chapter] | None:
    """JSON chapters of the item (they win over in-feed ones: richer and the publisher's latest), or None."""
    path = media_dir / mapped["chapters"] if mapped.get("chapters") and media_dir else None
    path = path or (finder.find(item.chapters_url) if item.chapters_url else None)
    try:
        if path is not None:
            return parse_chapters_json(read_text_file(path))
        if item.chapters_url and fetch:
            return parse_chapters_json(_decode(fetch_url(item.chapters_url), item.chapters_url))
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
        text = _decode(fetch_url(ref.url), ref.url)
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


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) only: a feed's link must not bounce us to file:// or ftp://."""

    def http_error_302(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                       headers: http.client.HTTPMessage) -> http.client.HTTPResponse | None:
        target = urljoin(req.full_url, headers.get("Location") or headers.get("URI") or "")
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            fp.close()
            raise InputError(f"redirected to {target!r}: only http and https are followed", source=req.full_url)
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def fetch_url(url: str, *, timeout: float | None = None, max_bytes: int | None = None) -> bytes:
    """The body at an http(s) URL, at most `max_bytes`; every failure (scheme, HTTP, timeout, size) an InputError."""
    timeout = FETCH_TIMEOUT_S if timeout is None else timeout
    max_bytes = MAX_DOWNLOAD_BYTES if max_bytes is None else max_bytes
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise InputError("only http and https URLs are downloaded", source=url)
    # Built by hand rather than build_opener(), which would add file://, ftp:// and data: handlers.
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    urllib.request.HTTPDefaultErrorHandler(), _WebOnlyRedirects(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    request = urllib.request.Request(url, headers={"User-Agent": "podquery (+feed transcripts)"})
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise InputError(f"download is {int(length)} bytes, over the {max_bytes}-byte limit", source=url)
            body = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise InputError(f"HTTP {exc.code} {exc.reason}", source=url) from None
    except urllib.error.URLError as exc:
        raise InputError(f"download failed: {exc.reason}", source=url) from None
    except TimeoutError:
        raise InputError(f"download timed out after {timeout:g} s", source=url) from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise InputError(f"download failed: {exc}", source=url) from None
    if len(body) > max_bytes:
        raise InputError(f"download is over the {max_bytes}-byte limit", source=url)
    return body
