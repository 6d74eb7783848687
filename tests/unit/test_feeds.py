"""Feeds: the pure RSS/Atom parser (golden files, hostile XML) and the I/O side (media folders, fetch).

The real feeds of ../shared/corpus are read in tests/corpus/test_feeds_corpus.py.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parser_support import golden_mismatches

from indexer.errors import InputError
from indexer.ingest import feeds as feeds_module
from indexer.ingest.feeds import fetch_url, load_feed, media_key, resolve_feed_item
from indexer.ingest.formats import rss
from indexer.ingest.formats.rss import TranscriptRef, best_transcript, parse_feed

FEED_FIXTURES = FIXTURES / "feeds"
VTT = ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ada>Hello from the feed.\n\n"
       "00:00:05.000 --> 00:00:09.000\n<v Bob>Hi.\n")


@pytest.mark.parametrize("rss_path", sorted((FEED_FIXTURES / "podcastparser").glob("*.rss")), ids=lambda p: p.stem)
def test_golden_fixture_feeds_match_podcastparser(rss_path: Path) -> None:
    compared, bad = golden_mismatches(rss_path)
    assert compared >= 7 and not bad


def test_spec_example_is_blocked_but_readable_on_request() -> None:
    data = (FEED_FIXTURES / "podcast-namespace-example.xml").read_bytes()
    feed = parse_feed(data, "example.xml")
    assert feed.blocked and feed.items == [] and "podcast:block" in feed.warnings[0]
    feed = parse_feed(data, "example.xml", include_blocked=True)
    assert [i.episode_number for i in feed.items] == [3, 2, 1]
    first = feed.items[0]
    assert first.episode.people == ["Adam Curry", "Dave Jones"]  # Becky Smith is crew (group "visuals")
    assert first.chapters_url == "https://example.com/ep3_chapters.json"
    vtt = TranscriptRef("https://example.com/episode1/transcript.vtt", "text/vtt", "es", "captions")
    assert first.transcripts[1] == vtt
    assert best_transcript(first.transcripts).type == "text/vtt"
    assert first.episode.summary == "A look into the future of podcasting and how we get to Podcasting 2.0!"
    assert first.episode.published == "2020-10-09T04:30:38+00:00"


def test_best_transcript_prefers_json_then_vtt_srt_html_text() -> None:
    refs = [TranscriptRef(f"u{i}", t) for i, t in enumerate(["text/plain", "text/html", "application/x-subrip",
                                                               "text/vtt", "application/json"])]
    order = []
    while refs:
        best = best_transcript(refs)
        order.append(best.type)
        refs.remove(best)
    assert order == ["application/json", "text/vtt", "application/x-subrip", "text/html", "text/plain"]
    assert best_transcript([]) is None
    assert best_transcript([TranscriptRef("a", "application/pdf"), TranscriptRef("b", "application/srt")]).url == "b"


def _rss(items: str, channel: str = "") -> bytes:
    return (f'<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
            f'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Show</title>{channel}'
            f"{items}</channel></rss>").encode()


@pytest.mark.parametrize(("text", "seconds"), [
    ("3723", 3723), ("1:02:03", 3723), ("62:03", 3723), ("3723.5", 3723.5), ("01:02:03", 3723), ("0:45", 45),
    (" 5:07 ", 307), ("1:02:03.250", 3723.25)])
def test_every_itunes_duration_form(text: str, seconds: float) -> None:
    item = parse_feed(_rss(f"<item><title>T</title><guid>g</guid><itunes:duration>{text}</itunes:duration></item>"))
    item = item.items[0]
    assert item.episode.duration_s == seconds and item.warnings == []


@pytest.mark.parametrize("text", ["abc", "1:75", "-30", "1:02:03:04", "1h2m"])
def test_invalid_duration_is_none_with_a_warning(text: str) -> None:
    item = parse_feed(_rss(f"<item><title>T</title><guid>g</guid><itunes:duration>{text}</itunes:duration></item>"))
    item = item.items[0]
    assert item.episode.duration_s is None and "itunes:duration" in item.warnings[0]


def test_invalid_episode_number_and_date_are_warnings() -> None:
    item = parse_feed(_rss("<item><guid>g</guid><itunes:episode>two</itunes:episode>"
                           "<pubDate>someday</pubDate></item>")).items[0]
    assert item.episode_number is None and item.episode.published is None
    assert any("episode number" in w for w in item.warnings) and any("someday" in w for w in item.warnings)


@pytest.mark.parametrize(("episode", "date"), [("²", "Mon, 1 Jan 2020 00:00:00 +99999999999999999999"),
                                             ("1" * 5000, "Mon, 1 Jan 99999999999 00:00:00 +0000"),
                                             ("0", "Mon, 1 Jan 2020 99:99:99 +0000")])
def test_absurd_numbers_are_warnings_not_crashes(episode: str, date: str) -> None:
    item = parse_feed(_rss(f"<item><title>T</title><guid>g</guid><itunes:episode>{episode}</itunes:episode>"
                           f"<pubDate>{date}</pubDate></item>")).items[0]
    assert item.episode_number is None and item.episode.published is None and len(item.warnings) == 2


def test_block_tags_at_channel_and_item_level() -> None:
    items = "<item><guid>a</guid><podcast:block>yes</podcast:block></item><item><guid>b</guid></item>"
    feed = parse_feed(_rss(items))
    assert [i.episode.id for i in feed.items] == ["b"] and "item 1" in feed.warnings[0]
    feed = parse_feed(_rss("<item><guid>a</guid></item>", "<itunes:block>Yes</itunes:block>"))
    assert feed.blocked and feed.items == [] and feed.warnings
    # A block for one platform (id="...") is not a block for us; "no" is not a block.
    feed = parse_feed(_rss("<item><guid>a</guid><itunes:block>no</itunes:block></item>",
                           '<podcast:block id="google">yes</podcast:block>'))
    assert not feed.blocked and len(feed.items) == 1
    feed = parse_feed(_rss(items), include_blocked=True)
    assert [i.blocked for i in feed.items] == [True, False]


def test_summary_html_becomes_text_and_show_notes_give_chapters() -> None:
    notes = ("<p>We talk &amp; laugh.</p><ul><li>Links</li><li>More</li></ul>"
             "<p>0:00 Intro<br/>3:15 Vector search<br>1:02:03 Wrap-up</p>")
    item = parse_feed(_rss(f"<item><guid>g</guid><itunes:duration>4000</itunes:duration>"
                           f"<description><![CDATA[{notes}]]></description></item>")).items[0]
    assert item.episode.summary == "We talk & laugh.\n\nLinks\nMore\n\n0:00 Intro\n3:15 Vector search\n1:02:03 Wrap-up"
    assert [(c.index, c.title, c.start_s, c.end_s) for c in item.episode.chapters] == [
        (0, "Intro", 0.0, 195.0), (1, "Vector search", 195.0, 3723.0), (2, "Wrap-up", 3723.0, 4000.0)]


def test_podlove_chapters_win_over_show_notes() -> None:
    psc = ('<psc:chapters xmlns:psc="http://podlove.org/simple-chapters"><psc:chapter start="00:00:00.000" title="A"/>'
           '<psc:chapter start="01:30" title="B"/><psc:chapter start="later" title="Bad"/></psc:chapters>')
    item = parse_feed(_rss(f"<item><guid>g</guid>{psc}<description>0:00 X\n1:00 Y</description></item>")).items[0]
    assert [(c.title, c.start_s) for c in item.episode.chapters] == [("A", 0.0), ("B", 90.0)]
    assert any("later" in w for w in item.warnings)


def test_atom_feed() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Show</title><link href="https://ex.org/"/>
      <entry><id>urn:1</id><title>One</title><link rel="alternate" href="https://ex.org/1"/>
      <link rel="enclosure" type="audio/mpeg" href="https://ex.org/1.mp3"/><updated>2024-05-01T10:00:00Z</updated>
      <content type="html">&lt;p&gt;Hello&lt;/p&gt;</content></entry></feed>"""
    feed = parse_feed(atom)
    ep = feed.items[0].episode
    assert (feed.title, feed.link) == ("Atom Show", "https://ex.org/")
    assert (ep.id, ep.title, ep.url, ep.audio_url, ep.published, ep.summary, ep.podcast) == (
        "urn:1", "One", "https://ex.org/1", "https://ex.org/1.mp3", "2024-05-01T10:00:00+00:00", "Hello", "Atom Show")


def test_rss_1_0_feed() -> None:
    feed = parse_feed(b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                      b'xmlns="http://purl.org/rss/1.0/">'
                      b"<channel><title>Old</title></channel><item><title>I</title><link>http://x.example/1</link>"
                      b"</item></rdf:RDF>")
    assert feed.title == "Old" and [(i.episode.id, i.episode.url) for i in feed.items] == [("http://x.example/1",) * 2]


def test_undeclared_prefixes_are_repaired_with_a_warning() -> None:
    feed = parse_feed(b"<rss><channel><item><guid>g</guid><itunes:duration>60</itunes:duration>"
                      b'<podcast:person role="guest">Ann</podcast:person><odd:thing/></item></channel></rss>')
    assert feed.items[0].episode.duration_s == 60 and feed.items[0].episode.people == ["Ann"]
    assert "itunes, odd, podcast" in feed.warnings[0]


def test_text_input_ignores_its_encoding_declaration() -> None:
    feed = parse_feed('<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>Café</title></channel></rss>')
    assert feed.title == "Café"


# --- hostile and broken XML -------------------------------------------------------------------------------------

_opened: list[str] = []
_watching: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _watching and isinstance(args[0], str) and args[0] in _watching:
        _opened.append(args[0])


sys.addaudithook(_audit)  # hooks cannot be removed; this one only records opens of the files a test watches


def test_xxe_is_refused_and_the_file_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    payload = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
               f"<rss><channel><title>&x;</title></channel></rss>").encode()
    passwd = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><title>&x;</title></channel></rss>'
    _watching[:] = [str(secret), "/etc/passwd"]
    try:
        for data in (payload, passwd):
            with pytest.raises(InputError) as err:
                parse_feed(data, "evil.xml")
            assert str(err.value) == "evil.xml: feed uses XML entities/DTD, refused for safety"
    finally:
        _watching.clear()
    assert _opened == []


def test_billion_laughs_is_refused() -> None:
    lol = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    ) + b"]><rss><channel><title>&lol9;</title></channel></rss>"
    with pytest.raises(InputError, match="refused for safety"):
        parse_feed(lol, "lolz.xml")


def test_malformed_xml_names_line_and_column() -> None:
    with pytest.raises(InputError) as err:
        parse_feed(b"<rss>\n<channel>\n  <title>x</titel>\n</channel></rss>", "bad.xml")
    assert err.value.source == "bad.xml" and err.value.where == "line 3 column 13"
    assert "mismatched tag" in err.value.problem


@pytest.mark.parametrize(("data", "problem"), [(b"", "empty feed"), (b"<html><body/></html>", "not a podcast feed"),
                                               (b"\xff\xfe\x00garbage", "malformed XML")])
def test_other_refusals(data: bytes, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        parse_feed(data, "f.xml")


def test_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rss, "MAX_FEED_BYTES", 100)
    with pytest.raises(InputError, match="limit"):
        parse_feed(_rss("<item><guid>g</guid></item>" * 10))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_input_error(data: bytes) -> None:
    try:
        parse_feed(data, "fuzz.xml")
    except InputError as exc:
        assert not exc.problem.startswith("could not read the feed"), exc  # the catch-all hides a bug of ours


_xml_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<&\x00"), max_size=30),
    st.text(alphabet="0123456789:.,+- ²١", max_size=40),  # numbers, times and dates in odd shapes
    st.builds(lambda d, t, z: f"Mon, {d} Jan {t} {z}", st.integers(-1, 10**12), st.text("0123456789:", max_size=12),
              st.from_regex(r"[+-]?[0-9]{0,25}|[A-Z]{0,4}", fullmatch=True)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["title", "guid", "link", "itunes:duration", "itunes:episode", "pubDate",
                                           "description", "itunes:block", "podcast:person", "content:encoded"]),
                          _xml_text), max_size=8), st.booleans())
def test_arbitrary_field_values_raise_only_input_error(fields: list[tuple[str, str]], atom: bool) -> None:
    from xml.sax.saxutils import escape

    body = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in fields)
    data = f'<feed xmlns="http://www.w3.org/2005/Atom"><entry>{body}</entry></feed>' if atom else _rss(
        f"<item>{body}</item>").decode()
    try:
        parse_feed(data.encode("utf-8", "surrogatepass"))
    except InputError as exc:
        assert not exc.problem.startswith("could not read the feed"), exc


# --- media folders ---------------------------------------------------------------------------------------------

def _item(guid: str, *urls: str, chapters: str | None = None, types: tuple[str, ...] = ()) -> rss.FeedItem:
    refs = "".join(f'<podcast:transcript url="{u}" type="{t}"/>'
                   for u, t in zip(urls, types or ("text/vtt",) * len(urls), strict=False))
    ch = f'<podcast:chapters url="{chapters}" type="application/json+chapters"/>' if chapters else ""
    body = f"<title>Ep {guid}</title><guid>{guid}</guid><itunes:duration>7000</itunes:duration>{refs}{ch}"
    return parse_feed(_rss(f"<item>{body}</item>")).items[0]


def test_media_dir_flat_name_and_guid_folder(tmp_path: Path) -> None:
    (tmp_path / "ep1.vtt").write_text(VTT)
    source = resolve_feed_item(_item("g1", "https://h.example/ep1.vtt"), tmp_path)
    assert [s.text for s in source.transcript.segments] == ["Hello from the feed.", "Hi."]
    assert source.transcript.segments[0].speaker == "Ada"
    guid = "changelog.com/7/2615"
    assert media_key(guid) == "changelog.com_7_2615" and media_key("../..") == "_"
    (tmp_path / media_key(guid)).mkdir()
    (tmp_path / media_key(guid) / "transcription.vtt").write_text(VTT)
    source = resolve_feed_item(_item(guid, "https://share.example/s/x/transcription.vtt"), tmp_path)
    assert source.transcript is not None


def test_shared_file_names_are_never_guessed(tmp_path: Path) -> None:
    (tmp_path / "transcription.vtt").write_text(VTT)
    feed_path = tmp_path / "feed.xml"
    feed_path.write_bytes(_rss("".join(
        f'<item><guid>g{n}</guid><podcast:transcript url="https://s.example/{n}/transcription.vtt" type="text/vtt"/>'
        f"</item>" for n in (1, 2))))
    sources = load_feed(feed_path, tmp_path)
    assert [s.transcript for s in sources] == [None, None]
    assert all("transcript not found" in s.warnings[-1] for s in sources)
    (tmp_path / "g2").mkdir()
    (tmp_path / "g2" / "transcription.vtt").write_text(VTT)
    assert [s.transcript is not None for s in load_feed(feed_path, tmp_path)] == [False, True]


def test_media_map_by_url_and_by_guid_with_chapters(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.vtt").write_text(VTT)
    (tmp_path / "notes.md").write_text("**Ann:** Hello there.\n\n**Bob:** \\[01:00\\] Later words.\n")
    (tmp_path / "ch.json").write_text((FIXTURES / "chapters" / "example.json").read_text())
    (tmp_path / "media-map.json").write_text(json.dumps({
        "https://h.example/x/transcription.vtt": "sub/a.vtt",
        "guid:g2": {"transcript": "notes.md", "chapters": "ch.json"}}))
    by_url = resolve_feed_item(_item("g1", "https://h.example/x/transcription.vtt"), tmp_path)
    assert by_url.transcript.segments[1].text == "Hi."
    by_guid = resolve_feed_item(_item("g2", "https://h.example/y/transcription.vtt"), tmp_path)
    assert [(s.speaker, s.start_s) for s in by_guid.transcript.segments][1] == ("Bob", 60.0)
    assert by_guid.episode.chapters and by_guid.episode.chapters[0].index == 0
    assert by_guid.episode.chapters[-1].end_s == 7000.0


def test_json_chapters_found_by_name(tmp_path: Path) -> None:
    (tmp_path / "ep9-chapters.json").write_text((FIXTURES / "chapters" / "example.json").read_text())
    source = resolve_feed_item(_item("g", chapters="https://h.example/ep9-chapters.json"), tmp_path)
    assert len(source.episode.chapters) >= 2
    assert source.warnings == ["no transcript: indexed from the summary and chapters"]


@pytest.mark.parametrize("text, where", [("{oops", "line 1 column 2"), ("[" * 100_000, None)])
def test_a_media_map_that_is_not_json_is_a_named_error_for_each_item(tmp_path: Path, text: str,
                                                                     where: str | None) -> None:
    # nesting 100,000 deep once raised RecursionError out of load_feed, which promises only InputErrors
    (tmp_path / "media-map.json").write_text(text)
    feed_path = tmp_path / "feed.xml"
    feed_path.write_bytes(_rss("<item><guid>g</guid></item>"))
    [error] = load_feed(feed_path, tmp_path)
    assert isinstance(error, InputError) and error.source and error.source.endswith("media-map.json")
    assert "not valid JSON" in error.problem and error.where == where


@pytest.mark.parametrize("bad", ["../outside.vtt", "/etc/passwd", {"transcript": 3}, ["x"]])
def test_media_map_entries_may_not_leave_the_folder_or_be_malformed(tmp_path: Path, bad: object) -> None:
    (tmp_path / "media-map.json").write_text(json.dumps({"guid:g": bad}))
    with pytest.raises(InputError, match="media-map.json"):
        resolve_feed_item(_item("g", "https://h.example/a.vtt"), tmp_path)
    feed_path = tmp_path / "feed.xml"
    feed_path.write_bytes(_rss("<item><guid>g</guid></item>"))
    [error] = load_feed(feed_path, tmp_path)
    assert isinstance(error, InputError)


def test_best_local_format_wins_and_broken_files_fall_through(tmp_path: Path) -> None:
    (tmp_path / "t.json").write_text("{not json")
    (tmp_path / "t.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nFrom SRT.\n")
    (tmp_path / "t.txt").write_text("From text.")
    item = _item("g", "https://h.example/t.txt", "https://h.example/t.srt", "https://h.example/t.json",
                 types=("text/plain", "application/x-subrip", "application/json"))
    source = resolve_feed_item(item, tmp_path)
    assert source.transcript.segments[0].text == "From SRT."
    assert any(w.startswith("transcript not read") and "t.json" in w for w in source.warnings)


def test_extensionless_transcript_is_read_by_its_declared_type(tmp_path: Path) -> None:
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "transcript").write_text(VTT)
    source = resolve_feed_item(_item("g", "https://h.example/ep/transcript", types=("text/vtt",)), tmp_path)
    assert len(source.transcript.segments) == 2


def test_no_media_dir_and_no_fetch_means_no_network_and_a_warning() -> None:
    source = resolve_feed_item(_item("g", "http://127.0.0.1:9/never.vtt"), None)
    assert source.transcript is None and "give a media folder or allow fetching" in source.warnings[-1]


def test_load_feed_errors_are_returned_not_raised(tmp_path: Path) -> None:
    [missing] = load_feed(tmp_path / "nope.xml")
    assert isinstance(missing, InputError) and "nope.xml" in str(missing)
    (tmp_path / "bad.xml").write_bytes(b"<rss><channel>")
    [bad] = load_feed(tmp_path / "bad.xml")
    assert isinstance(bad, InputError) and bad.where and bad.where.startswith("line 1")


# --- fetching --------------------------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        status, headers, body = self.routes.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers and "X-No-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PODQUERY_FETCH_PRIVATE", "1")  # the test server is on loopback, refused by default
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    _Handler.hits = []
    _Handler.routes = {
        "/ep/transcript.vtt": (200, {"Content-Type": "text/vtt"}, VTT.encode()),
        "/big": (200, {}, b"x" * 5000),
        "/big-unsized": (200, {"X-No-Length": "1", "Connection": "close"}, b"x" * 5000),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/to-ftp": (302, {"Location": "ftp://127.0.0.1/x"}, b""),
        "/to-vtt": (301, {"Location": "/ep/transcript.vtt"}, b""),
    }
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()


def test_fetch_downloads_the_transcript_only_when_asked(server: str) -> None:
    item = _item("g", f"{server}/ep/transcript.vtt")
    assert resolve_feed_item(item, None).transcript is None and _Handler.hits == []
    source = resolve_feed_item(item, None, fetch=True)
    assert [s.text for s in source.transcript.segments] == ["Hello from the feed.", "Hi."]
    assert fetch_url(f"{server}/to-vtt") == VTT.encode()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:text/plain,hi", "gopher://x/"])
def test_fetch_refuses_other_schemes(url: str) -> None:
    with pytest.raises(InputError, match="only http and https"):
        fetch_url(url)


@pytest.mark.parametrize("path", ["/to-file", "/to-ftp"])
def test_fetch_refuses_redirects_off_the_web(server: str, path: str) -> None:
    with pytest.raises(InputError, match="redirect|not allowed") as err:
        fetch_url(server + path)
    assert "root:" not in str(err.value)


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_fetch_size_cap(server: str, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="limit"):
        fetch_url(server + path, max_bytes=1000)
    assert len(fetch_url(server + path, max_bytes=5000)) == 5000
    monkeypatch.setattr(feeds_module, "MAX_DOWNLOAD_BYTES", 1000)
    source = resolve_feed_item(_item("g", server + path), None, fetch=True)
    assert source.transcript is None and any("limit" in w for w in source.warnings)


def test_fetch_http_error_is_an_input_error(server: str) -> None:
    with pytest.raises(InputError, match="HTTP 404"):
        fetch_url(f"{server}/missing")
