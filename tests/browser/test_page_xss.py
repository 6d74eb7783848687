"""Hostile data on the search page, in Chromium: markup in every field shows as text, and nothing ever runs.

A small index of its own (the shared service episodes stay as they are) holds episodes whose passages, titles,
podcast names, chapter titles and speakers carry `<script>`, `<img onerror>`, `<svg onload>` and `"><script>`,
and whose page and audio URLs are `javascript:`, `data:` and friends. Each payload sets `window.__xss` and calls
`alert`: the tests assert the flag stays unset, no dialog opens, the text shows literally, and no non-web URL
becomes an href or an audio src.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from browser_support import BROWSER_TESTS, new_page
from service_support import LiveServer, audio_host, start_server
from support import make_source

from indexer.index.updates import build_sources
from indexer.settings import Settings

pytestmark = BROWSER_TESTS
pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

SCRIPT = "<script>window.__xss=1;alert(1)</script>"
IMG = '<img src=x onerror="window.__xss=2;alert(2)">'
SVG = '<svg onload="window.__xss=3;alert(3)">'
BREAKOUT = '"><script>window.__xss=4;alert(4)</script>'
PAYLOADS = (SCRIPT, IMG, SVG, BREAKOUT)
BAD_URLS = ("javascript:window.__xss=5;alert(5)", " JaVaScRiPt:alert(6)", "java\tscript:alert(7)",
            "data:text/html,<script>alert(8)</script>", "vbscript:msgbox(9)", "//evil.example/x")


def _sources(audio: str) -> list:
    """Four wombat episodes: each field holds a payload; page and audio URLs are never web links but in the last."""
    sources = []
    for n in range(4):
        p = PAYLOADS[n:] + PAYLOADS[:n]  # every payload visits every field
        text = f"The wombat digs {p[0]} a burrow {p[1]} under {p[2]} the gum tree {p[3]} at night."
        source = make_source(f"xss-{n}", [(0, 20, text, p[1]), (20, 40, f"Wombat droppings are cubes {p[3]}", p[2])],
                             podcast=f"Wombat FM {p[2]}", title=f"{p[0]} wombats {n}", duration_s=40,
                             chapters=[(0, f"Chapter {p[3]}"), (20, f"Cubes {p[1]}")],
                             audio_url=BAD_URLS[n + 1] if n < 3 else f"{audio}/episode.wav?ep={n}")
        source.episode.url = BAD_URLS[n] if n < 3 else BAD_URLS[5]
        sources.append(source)
    sources.append(make_source("plain", [(0, 20, "A wombat sleeps all day in its burrow.", "Ann")],
                               title="Plain wombat", podcast="Wombat FM", duration_s=20,
                               audio_url=f"{audio}/episode.wav?ep=plain"))
    sources[-1].episode.url = "https://example.com/wombat"
    return sources


@pytest.fixture(scope="module")
def server(tmp_path_factory, real_embedder) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("xss")
    with audio_host(folder / "audio") as audio:
        build_sources(_sources(audio), folder / "index", Settings(), real_embedder)
        live = start_server(folder / "index", folder / "server.log")
        try:
            yield live
        finally:
            live.stop()


@pytest.fixture
def page(browser, server):
    """A page that records dialogs (dismissing them), uncaught errors and CSP violations reported to the console."""
    context, tab, errors = new_page(browser)
    tab.errors, tab.dialogs = errors, []  # type: ignore[attr-defined]
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    yield tab
    context.close()


def _nothing_ran(page) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.dialogs == []
    handlers = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(
        e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))""")
    assert handlers == []
    assert page.locator("#results script, #results img, #results svg, select script, select img").count() == 0
    assert not [e for e in page.errors if "Content Security Policy" in e]  # nothing even tried to run


def _search(page, server: LiveServer, query: str) -> list[dict]:
    expected = httpx.get(f"{server.url}/search", params={"q": query, "k": 10}).json()["hits"]
    page.goto(server.url)
    page.wait_for_selector("#podcast option:nth-child(2)", state="attached")
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_function(f"() => document.querySelectorAll('#results .hit').length === {len(expected)}")
    return expected


def test_payloads_in_every_field_show_as_text_and_never_run(page, server):
    expected = _search(page, server, "wombat burrow cubes")
    assert len(expected) >= 8
    hits = page.locator("#results .hit")
    for n, hit in enumerate(expected):
        shown = hits.nth(n)
        assert shown.locator(".hit-title").text_content() == hit["episode"]["title"]
        assert shown.locator(".hit-podcast").text_content() == hit["episode"]["podcast"]
        if hit["chapter"]:
            assert shown.locator(".hit-chapter").text_content() == hit["chapter"]["title"]
        if hit["speakers"]:
            assert shown.locator(".hit-speakers").text_content() == ", ".join(hit["speakers"])
        snippet = shown.locator(".hit-snippet").text_content()
        assert snippet == hit["snippet"].replace("«", "").replace("»", "")
    everything = " ".join(hits.all_text_contents()) + " ".join(page.locator("#podcast option").all_text_contents())
    for payload in PAYLOADS:
        assert payload in everything  # each payload reached the page, literally, somewhere
    _nothing_ran(page)


def test_javascript_and_other_non_web_urls_never_become_links_or_audio(page, server):
    expected = _search(page, server, "wombat")
    for n, hit in enumerate(expected):
        page.locator("#results .hit").nth(n).click()
        page.wait_for_function("t => document.querySelector('#now-title').textContent === t",
                               arg=hit["episode"]["title"])
        if hit["chapter"]:
            assert hit["chapter"]["title"] in page.text_content("#now-where")
        href = page.get_attribute("#now-link", "href")
        src = page.get_attribute("#audio", "src")
        url, audio = hit["episode"]["url"], hit["episode"]["audio_url"]
        if url.startswith("https://"):
            assert href == url and page.is_visible("#now-link")
        else:
            assert href is None and not page.is_visible("#now-link"), (url, href)
        if audio.startswith("http://"):
            assert src and src.startswith(audio)
        else:
            assert src is None, (audio, src)
            assert "not a web" in page.text_content("#audio-error")
    page.keyboard.press("Enter")  # the focused (last) result played again from the keyboard
    _nothing_ran(page)


def test_payloads_in_the_address_bar_stay_text(page, server):
    params = {"q": f"wombat {SCRIPT}", "podcast": SVG, "mode": BREAKOUT, "after": IMG}
    page.goto(str(httpx.URL(server.url, params=params)))
    page.wait_for_function("() => document.querySelector('#status').textContent !== ''")
    assert page.input_value("#q") == params["q"]
    assert SVG in page.locator("#podcast option").all_text_contents()  # a podcast named in a link, as text
    assert BREAKOUT in page.locator("#mode option").all_text_contents()
    page.wait_for_function("() => document.querySelector('#status').classList.contains('error')")  # mode: a 422
    _nothing_ran(page)


def test_the_page_ships_only_safe_sinks_and_no_inline_script(server):
    html = httpx.get(server.url).text
    assert "<script>" not in html.replace('<script type="module" src="/static/app.js"></script>', "")
    for path in sorted((Path(__file__).resolve().parents[2] / "service" / "static").glob("*.js")):
        code = path.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                     "setTimeout(\""):
            assert sink not in code, (path.name, sink)
