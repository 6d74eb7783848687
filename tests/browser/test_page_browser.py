"""The search page in a real browser (Debian's Chromium via Playwright) against a real server.

Audio comes from a second local server (silent WAV files, with range requests), so playing from a second
can be checked on an element that has really loaded its media. Screenshots go to pytest's tmp_path and to
test-results/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import httpx
import pytest
from browser_support import BROWSER_TESTS, new_page, screenshot
from service_support import XSS_PODCAST, XSS_TITLE

pytestmark = BROWSER_TESTS
pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


@pytest.fixture(scope="module")
def server(live_server):
    return live_server


@pytest.fixture
def page(browser, server):
    """A fresh page that records console errors and uncaught exceptions; the test fails if any appear."""
    context, tab, errors = new_page(browser, viewport={"width": 1200, "height": 900})
    tab.base = server.url  # type: ignore[attr-defined]
    yield tab
    context.close()
    assert errors == []


def _search(page, text: str) -> None:
    page.fill("#q", text)
    page.press("#q", "Enter")
    page.wait_for_selector("#results .hit")
    page.wait_for_function("() => !document.querySelector('#results').hasAttribute('aria-busy')")


def _titles(page) -> list[str]:
    return page.locator("#results .hit-title").all_text_contents()


def test_search_click_plays_from_the_moment_and_the_url_reloads(page, server, tmp_path):
    expected = httpx.get(f"{server.url}/search", params={"q": "secure enclaves", "k": 10}).json()["hits"]
    page.goto(server.url)
    _search(page, "secure enclaves")
    assert _titles(page) == [h["episode"]["title"] for h in expected]
    first = page.locator("#results .hit").first
    assert first.locator(".hit-time").text_content() == f"▶ {expected[0]['timestamp']}"
    assert first.locator(".hit-chapter").text_content() == expected[0]["chapter"]["title"]
    assert first.locator("mark").first.text_content().lower() in {"secure", "enclaves"}
    screenshot(page, tmp_path, "search-desktop.png")

    first.click()
    page.wait_for_function("() => document.querySelector('#audio').readyState >= 1")
    src = page.eval_on_selector("#audio", "a => a.currentSrc")
    now = page.eval_on_selector("#audio", "a => a.currentTime")
    assert src.split("#")[0] == expected[0]["episode"]["audio_url"]
    assert src.split("#")[1] == f"t={expected[0]['seek_s']:g}"
    assert expected[0]["seek_s"] <= now < expected[0]["seek_s"] + 3
    assert page.get_attribute("#now-link", "href") == expected[0]["episode"]["url"]
    assert page.locator("audio").count() == 1
    screenshot(page, tmp_path, "playing-desktop.png", full_page=False)  # the player is fixed to the viewport

    assert "q=secure+enclaves" in page.url
    page.reload()
    page.wait_for_selector("#results .hit")
    assert page.input_value("#q") == "secure enclaves"
    assert _titles(page) == [h["episode"]["title"] for h in expected]


def test_keyboard_enter_on_a_result_plays_it_and_focus_is_visible(page, server):
    expected = httpx.get(f"{server.url}/search", params={"q": "basalt lava", "k": 10}).json()["hits"]
    page.goto(server.url)
    page.focus("#q")
    page.keyboard.type("basalt lava")
    page.keyboard.press("Enter")
    page.wait_for_selector("#results .hit")
    page.focus("#mode")
    page.keyboard.press("Tab")  # from the last filter to the first result
    assert page.evaluate("document.activeElement.classList.contains('hit')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#audio').readyState >= 1")
    src = page.eval_on_selector("#audio", "a => a.currentSrc")
    assert src.split("#")[0] == expected[0]["episode"]["audio_url"]
    assert abs(page.eval_on_selector("#audio", "a => a.currentTime") - expected[0]["seek_s"]) < 3


def test_filters_live_in_the_url(page, server):
    page.goto(server.url)
    page.wait_for_selector("#podcast option[value='Kitchen Table']", state="attached")
    _search(page, "water")
    page.select_option("#podcast", "Kitchen Table")
    page.wait_for_url("**podcast=Kitchen+Table**")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.hit-podcast')].every(e => e.textContent === 'Kitchen Table')")
    page.fill("#after", "2024-03-01")
    page.dispatch_event("#after", "change")
    page.wait_for_url("**after=2024-03-01**")
    page.wait_for_function("() => !document.querySelector('#results').hasAttribute('aria-busy')")
    assert set(_titles(page)) == {"Fuel for the marathon"}

    page.goto(f"{server.url}/?q=water&podcast=Kitchen+Table&after=2024-03-01")
    page.wait_for_selector("#results .hit")
    assert page.input_value("#podcast") == "Kitchen Table" and page.input_value("#after") == "2024-03-01"
    assert set(_titles(page)) == {"Fuel for the marathon"}


def test_markup_in_data_is_shown_as_text_and_never_runs(page, server, tmp_path):
    page.goto(server.url)
    page.wait_for_selector("#podcast option", state="attached")
    _search(page, "quokka")
    hit = page.locator("#results .hit").first
    assert hit.locator(".hit-title").text_content() == XSS_TITLE
    assert hit.locator(".hit-podcast").text_content() == XSS_PODCAST
    assert '<img src=x onerror="window.__xss=1">' in hit.locator(".hit-snippet").text_content()
    assert page.locator("#results img, #results script, #results b").count() == 0
    assert any(XSS_PODCAST in t for t in page.locator("#podcast option").all_text_contents())
    hit.click()
    assert page.text_content("#now-title") == XSS_TITLE
    assert page.evaluate("typeof window.__xss") == "undefined"
    screenshot(page, tmp_path, "markup-as-text.png")


def test_readable_at_phone_width(browser, server, tmp_path):
    context, page, errors = new_page(browser, viewport={"width": 375, "height": 812}, device_scale_factor=2)
    try:
        page.goto(f"{server.url}/?q=data+computing&podcast=AI+Talk")  # the filter keeps demo episodes out
        page.wait_for_selector("#results .hit")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no horizontal scroll
        screenshot(page, tmp_path, "search-phone.png")
        page.locator("#results .hit").first.click()
        page.wait_for_function("() => document.querySelector('#audio').readyState >= 1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, tmp_path, "playing-phone.png", full_page=False)
    finally:
        context.close()
    assert errors == []


def test_back_returns_to_the_previous_search_and_more_loads_the_next_page(page, server):
    page.goto(server.url)
    _search(page, "sourdough starter")
    first = _titles(page)
    _search(page, "marathon training")
    assert "q=marathon+training" in page.url
    page.go_back()
    page.wait_for_url("**q=sourdough+starter**")
    page.wait_for_function("() => document.querySelector('#q').value === 'sourdough starter'")
    page.wait_for_function("() => !document.querySelector('#results').hasAttribute('aria-busy')")
    assert _titles(page) == first
    assert page.is_visible("#more")  # hybrid search ranks every passage (17 or more), so there is a page 2
    page.click("#more")
    page.wait_for_function("() => document.querySelectorAll('#results .hit').length > 10")
    expected = httpx.get(f"{server.url}/search", params={"q": "sourdough starter", "k": 20}).json()["hits"]
    assert _titles(page) == [h["episode"]["title"] for h in expected]
