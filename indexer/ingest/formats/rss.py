"""Podcast feeds (RSS 2.0 and 1.0, Atom) to episodes: a pure parser, bytes in, dataclasses out, unsafe XML refused."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element

from indexer.datamodel import Chapter, Episode, check_id, finish_chapters
from indexer.errors import InputError
from indexer.ingest.formats.chapters import parse_chapter_list
from indexer.ingest.registry import mime_rank
from indexer.ingest.safexml import DECLARED_ENCODING, NS, XML_BASE, read_xml
from indexer.ingest.shownotes import html_to_text
from indexer.ingest.text import collapse_whitespace
from indexer.timecode import parse_timestamp

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 20 * 1024 * 1024  # the largest real podcast feeds are a few MB; past this it is not a feed to trust

@dataclass(frozen=True)
class TranscriptRef:
    """A `podcast:transcript` link: where the file is and what it is."""

    url: str
    type: str = ""
    language: str | None = None
    rel: str | None = None


@dataclass
class FeedItem:
    """One feed item: the Episode plus what resolving its transcript and chapters needs."""

    episode: Episode
    guid: str | None = None
    episode_number: int | None = None
    transcripts: list[TranscriptRef] = field(default_factory=list)
    chapters_url: str | None = None
    blocked: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class Feed:
    """A parsed feed: channel metadata, its items in feed order, and what was noticed on the way."""

    title: str = ""
    link: str | None = None
    description: str = ""
    items: list[FeedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    blocked: bool = False


def best_transcript(refs: list[TranscriptRef]) -> TranscriptRef | None:
    """The ref whose format keeps most (times, speakers): JSON > VTT > SRT > HTML > plain; feed order breaks ties."""
    return min(refs, key=transcript_rank, default=None)


def transcript_rank(ref: TranscriptRef) -> int:
    """0 for the most useful transcript format (the order of `registry.FORMATS`); unknown types rank last."""
    return mime_rank(ref.type)


def parse_feed(data: bytes | str, source: str = "", *, include_blocked: bool = False) -> Feed:
    """Parse a feed; every failure is an InputError naming `source`. Blocked items are left out unless asked for."""
    try:
        if isinstance(data, str):  # already decoded: whatever encoding the declaration names no longer applies
            data = DECLARED_ENCODING.sub(r'\1"utf-8"', data, count=1).encode("utf-8", "surrogatepass")
        return _parse(bytes(data), include_blocked)
    except InputError as exc:
        if not source:
            raise
        raise exc.at(source) from None  # the same error, now naming the feed
    except Exception as exc:  # a bug on odd input must still reach the user as a message about this feed
        log.debug("unexpected error parsing %s", source or "<feed>", exc_info=True)
        raise InputError(f"could not read the feed ({type(exc).__name__}: {exc})", source=source or None) from exc


def _parse(data: bytes, include_blocked: bool) -> Feed:
    if len(data) > MAX_FEED_BYTES:
        raise InputError(f"feed is {len(data) / 1e6:.1f} MB, over the {MAX_FEED_BYTES // 2**20} MiB limit")
    if not data.strip():
        raise InputError("empty feed")
    root, warnings = read_xml(data)
    if root.tag in ("rss", "{rdf}RDF"):
        channel = root.find("channel")
        if channel is None:
            moved = _text(root, "redirect/newLocation")
            return Feed(warnings=[f"feed has moved to {moved}" if moved else "RSS feed without a <channel>: no items"])
        elements = (channel if root.tag == "rss" else root).findall("item")
        title, link, desc = _text(channel, "title"), _text(channel, "link") or None, _text(channel, "description")
    elif root.tag == "{atom}feed":
        channel, elements = root, root.findall("atom:entry", NS)
        title, link, desc = _text(root, "atom:title"), _atom_link(root, "alternate"), _text(root, "atom:subtitle")
    else:
        tag = root.tag.rsplit("}", 1)[-1]
        raise InputError(f"not a podcast feed: the root element is <{tag}> (expected RSS <rss> or Atom <feed>)")
    feed = Feed(title=collapse_whitespace(title), link=link,
                description=html_to_text(desc or _text(channel, "itunes:summary")), warnings=warnings,
                people=_people(channel), blocked=_blocked(channel))
    if feed.blocked:
        feed.warnings.append("feed is marked podcast:block/itunes:block 'yes': its publisher asks not to index it")
        if not include_blocked:
            return feed
    base = root.get(XML_BASE, "")
    base = urljoin(base, channel.get(XML_BASE, "")) if channel is not root else base
    seen: set[str] = set()
    for n, el in enumerate(elements, 1):
        try:
            item = _item(el, feed, urljoin(base, el.get(XML_BASE, "")), root.tag == "{atom}feed")
        except InputError as err:  # an id no index could key on: this item is left out, the feed still loads
            feed.warnings.append(f"item {n}: {err}: skipped")
            continue
        label = f"item {n}" + (f" ({item.episode.title!r})" if item and item.episode.title else "")
        if item is None:
            feed.warnings.append(f"{label} has no guid, enclosure or link to identify it: skipped")
        elif item.episode.id in seen:
            feed.warnings.append(f"{label} repeats the id {item.episode.id!r}: skipped")
        elif item.blocked and not include_blocked:
            feed.warnings.append(f"{label} is marked podcast:block/itunes:block 'yes': skipped")
        else:
            seen.add(item.episode.id)
            feed.items.append(item)
    return feed


def _item(el: Element, feed: Feed, base: str, atom: bool) -> FeedItem | None:
    warnings: list[str] = []
    if atom:
        guid, permalink = _text(el, "atom:id") or None, False
        link = _atom_link(el, "alternate", base)
        enclosures = [(_url(x.get("href"), base), (x.get("type") or "").lower()) for x in el.findall("atom:link", NS)
                      if x.get("rel") == "enclosure"]
        dated = _text(el, "atom:published") or _text(el, "atom:updated") or _text(el, "dc:date")
        texts = [_atom_text(el.find("atom:summary", NS)), _atom_text(el.find("atom:content", NS))]
    else:
        guid_el = el.find("guid")
        is_permalink = (guid_el.get("isPermaLink") or "").strip().lower() if guid_el is not None else ""
        guid, permalink = _text(el, "guid") or None, is_permalink != "false"
        if guid and is_permalink == "true":  # only then is a relative guid a URL to resolve, not an opaque id
            guid = _url(guid, base)
        link = _url(_text(el, "link"), base) or (guid if permalink and _is_web(guid) else None)
        enclosures = [(_url(x.get("url"), base), (x.get("type") or "").lower()) for x in el.findall("enclosure")]
        dated = _text(el, "pubDate") or _text(el, "dc:date")
        texts = [_text(el, "description")]
    texts += [_text(el, "content:encoded"), _text(el, "itunes:summary")]
    enclosures += [(_url(x.get("url"), base), (x.get("type") or "").lower())
                   for x in [*el.findall("media:content", NS), *el.findall("media:group/media:content", NS)]]
    audio = next((u for u, t in enclosures if u and (not t or t.split("/")[0] in ("audio", "video")
                                                      or t == "application/octet-stream")), None)
    episode_id = guid or audio or link
    if not episode_id:
        return None
    id_field = ("id" if atom else "guid") if guid else "enclosure url" if audio else "link"
    check_id(episode_id, id_field)
    title = collapse_whitespace(_text(el, "title") or _text(el, "atom:title") or _text(el, "itunes:title"))
    if not title and audio:
        title = urlsplit(audio).path.rsplit("/", 1)[-1].rsplit(".", 1)[0]  # as podcatchers do: the file's name
    if not title:
        warnings.append("item has no title")
    duration = _duration(_text(el, "itunes:duration"), warnings)
    summaries = [html_to_text(t) for t in texts]
    episode = Episode(id=episode_id, podcast=feed.title, title=title, published=_date(dated, warnings),
                      duration_s=duration, url=link, audio_url=audio, summary=next((s for s in summaries if s), ""),
                      people=_people(el) or list(feed.people))
    episode.chapters = _chapters(el, summaries, duration, warnings)
    transcripts = [TranscriptRef(_url(t.get("url"), base), (t.get("type") or "").strip().lower(),
                                 t.get("language") or None, t.get("rel") or None)
                   for t in el.findall("podcast:transcript", NS) if (t.get("url") or "").strip()]
    chapters_el = el.find("podcast:chapters", NS)
    return FeedItem(episode=episode, guid=guid, episode_number=_episode_number(el, warnings), transcripts=transcripts,
                    chapters_url=_url(chapters_el.get("url"), base) or None if chapters_el is not None else None,
                    blocked=_blocked(el), warnings=warnings)


def _text(el: Element, path: str) -> str:
    found = el.find(path, NS)
    return "".join(found.itertext()).strip() if found is not None else ""


def _url(value: str | None, base: str = "") -> str:
    value = (value or "").strip()
    return urljoin(base, value) if value and base else value


def _is_web(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("http", "https")


def _atom_link(el: Element, rel: str, base: str = "") -> str | None:
    for link in el.findall("atom:link", NS):
        if link.get("rel", "alternate") == rel and link.get("href"):
            return _url(link.get("href"), base)
    return None


def _atom_text(el: Element | None) -> str:
    if el is None:
        return ""
    text = "".join(el.itertext()).strip()
    return html.escape(text) if el.get("type", "text") == "text" else text  # `text` must not be read as markup


def _blocked(el: Element) -> bool:
    # A podcast:block with an id blocks only that one platform; only a blanket block concerns us.
    blocks = [b for b in el.findall("podcast:block", NS) if not b.get("id")] + el.findall("itunes:block", NS)
    return any("".join(b.itertext()).strip().lower() == "yes" for b in blocks)


def _people(el: Element) -> list[str]:
    """Names of the cast (hosts, guests): persons of other groups (visuals, audio post-production) are crew."""
    names: list[str] = []
    for person in el.findall("podcast:person", NS):
        name = collapse_whitespace("".join(person.itertext()))
        if name and (person.get("group") or "cast").strip().lower() == "cast" and name not in names:
            names.append(name)
    return names


def _duration(text: str, warnings: list[str]) -> float | None:
    if not text:
        return None
    try:
        seconds = parse_timestamp(text.replace(",", "."))
    except ValueError:
        warnings.append(f"itunes:duration {text!r} is not a duration (seconds, mm:ss or h:mm:ss): ignored")
        return None
    return seconds or None  # 0 is what feeds write when they do not know


def _episode_number(el: Element, warnings: list[str]) -> int | None:
    text = _text(el, "itunes:episode") or _text(el, "podcast:episode")
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < 1:  # str.isdigit also passes "²"
        warnings.append(f"episode number {text!r} is not a positive whole number: ignored")
        return None
    return int(text)


def _date(text: str, warnings: list[str]) -> str | None:
    """ISO 8601 from RFC 2822 (RSS pubDate) or ISO 8601 (Atom, dc:date)."""
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
        # RFC 2822 "-0000" means UTC with the sender's zone unknown; parsedate leaves it naive.
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    for parse in (datetime.fromisoformat, date.fromisoformat):
        try:
            return parse(text).isoformat()
        except ValueError:
            continue
    warnings.append(f"date {text!r} is neither RFC 2822 nor ISO 8601: ignored")
    return None


def _chapters(el: Element, texts: list[str], duration: float | None, warnings: list[str]) -> list[Chapter]:
    """Podlove Simple Chapters when the feed has them, else a `0:00 Title` list in the show notes."""
    chapters: list[Chapter] = []
    for ch in el.findall("psc:chapters/psc:chapter", NS):
        try:
            start = parse_timestamp((ch.get("start") or "").strip())
            chapters.append(Chapter(0, collapse_whitespace(ch.get("title") or ""), start))
        except ValueError:
            warnings.append(f"psc:chapter start {ch.get('start')!r} is not a time: {ch.get('title')!r} left out")
    if not chapters:
        chapters = max((parse_chapter_list(t) for t in texts if t), key=len, default=[])
    finished, notes = finish_chapters(chapters, duration)
    warnings.extend(notes)
    return finished
