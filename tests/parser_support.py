"""Helpers the parser tests of two tiers share: the unit tier checks the fixtures in tests/fixtures, the corpus tier
the same way checks the large real files in ../shared/corpus (one copy of each check, so both tiers hold the parsers
to the same rule)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from indexer.datamodel import Segment
from indexer.ingest.formats.rss import parse_feed


def read(path: Path) -> str:
    """A transcript file's text (every transcript fixture is UTF-8)."""
    return path.read_text(encoding="utf-8")


def assert_timeline(segs: list[Segment]) -> None:
    """Every segment has text, starts never go back, each ends where it should (at or after its start)."""
    for a, b in zip(segs, segs[1:]):
        assert a.start_s <= b.start_s and a.end_s is not None and a.end_s <= b.start_s + 1e-6, (a, b)
    assert all(s.text and 0 <= s.start_s <= (s.end_s or 0) for s in segs)


# --- feeds against podcastparser's expected parses (tests/fixtures/feeds/podcastparser and all of its test data) ---

# podcastparser's expected parses resolve relative URLs against the feed's own location; we parse bytes without one.
_FEED_LOCATION = "file://tests/data/"
# Where we differ from podcastparser on purpose (each is the rule the project chose, not a bug):
INTENDED_DIFFERENCES = {
    # Our summary is the Atom <summary>; podcastparser ignores it (and takes content:encoded instead).
    ("atom_content_encoded.rss", "description"), ("atom_published_updated.rss", "description"),
    ("atom_updated.rss", "description"),
    # Our summary order is <description>, content:encoded, itunes:summary; podcastparser prefers content:encoded
    # when both are HTML, and itunes:summary over content:encoded.
    ("html_in_description_rss_both_different.rss", "description"), ("itunes_subtitle.rss", "description"),
    # With no guid our id is the enclosure URL, then the link; podcastparser takes the link first.
    ("no_guid.rss", "guid"),
}
# Also by rule (see golden_mismatches): podcastparser makes any permalink guid the link ("episode::x"); we only
# take a guid as the link when it is an http(s) URL. Items podcastparser drops (no title and several enclosures,
# or past its `max_episodes` parameter) we keep: they have an id, and a transcript may still be attached.


def _ts(iso: str | None) -> int:
    """An ISO date as Unix seconds, as podcastparser writes `published` (0 when there is none)."""
    if iso is None:
        return 0
    parsed = datetime.fromisoformat(iso)
    return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp())


def golden_mismatches(rss_path: Path) -> tuple[int, list[tuple[str, str, object, object]]]:
    """(fields compared, mismatches) of our parse of one podcastparser test feed against its expected JSON."""
    expected = json.loads(rss_path.with_suffix(".json").read_text(encoding="utf-8"))
    feed = parse_feed(rss_path.read_bytes(), rss_path.name)
    compared, bad = 0, []

    def check(field: str, ours: object, theirs: object) -> None:
        nonlocal compared
        if (rss_path.name, field) in INTENDED_DIFFERENCES:
            return
        compared += 1
        if ours != theirs:
            bad.append((rss_path.name, field, ours, theirs))

    def norm(text: str | None) -> str:
        return " ".join((text or "").split())

    if not (expected["title"] == rss_path.stem and feed.title == ""):  # podcastparser names untitled feeds by file
        check("feed.title", feed.title, expected["title"])
    if "description" in expected:
        check("feed.description", norm(feed.description), norm(expected["description"]))
    if "link" in expected:
        check("feed.link", feed.link, expected["link"])
    ours_by_id = {item.episode.id: item for item in feed.items}
    for exp in expected["episodes"]:
        guid, link = exp["guid"].removeprefix(_FEED_LOCATION), exp["link"].removeprefix(_FEED_LOCATION)
        item = ours_by_id.get(guid) or next((i for i in feed.items if i.episode.title == exp["title"]), None)
        if item is None:
            bad.append((rss_path.name, "missing item", guid, exp["title"]))
            continue
        ep = item.episode
        check("title", ep.title, exp["title"])
        check("guid", ep.id, guid)
        check("published", _ts(ep.published), exp["published"])
        check("duration", int(ep.duration_s or 0), exp["total_time"])
        if not (ep.url is None and link == guid and not guid.startswith(("http://", "https://"))):
            check("link", ep.url or "", link)
        audio = [e["url"].removeprefix(_FEED_LOCATION) for e in exp["enclosures"]
                 if not e["mime_type"].startswith("image/")]
        check("audio_url", ep.audio_url, audio[0] if audio else None)
        check("description", norm(ep.summary), norm(exp["description"]))
        check("episode_number", item.episode_number, exp.get("number"))
        if "chapters" in exp:  # podcastparser keeps whole seconds
            check("chapters", [(int(c.start_s), c.title) for c in ep.chapters],
                  [(c["start"], c["title"]) for c in exp["chapters"]])
        if "transcript_url" in exp:
            check("transcripts", exp["transcript_url"] in [r.url for r in item.transcripts], True)
        if "chapters_json_url" in exp:
            check("chapters_url", item.chapters_url, exp["chapters_json_url"])
        if "persons" in exp:
            check("persons", ep.people, [p["name"] for p in exp["persons"] if (p.get("group") or "cast") == "cast"])
    return compared, bad
