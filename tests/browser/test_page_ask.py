"""The page's Ask mode in a real browser (Debian's Chromium via Playwright) against a real server.

Citations must play from the second their quote starts on an audio element that has really loaded its media
(silent WAVs from a local server, as in test_page_browser.py). Screenshots go to test-results/ for a person.
One test runs a second server whose answers come from tests/llm_server.py, a stand-in that speaks the OpenAI
chat-completions protocol (not a real model), to see a model's words stream onto the page.
"""

from __future__ import annotations

import io
import wave

import httpx
import pytest
from browser_support import BROWSER_TESTS, new_page, screenshot
from llm_server import FABRICATED, chat_server
from service_support import XSS_TEXT, XSS_TITLE, start_server

pytestmark = BROWSER_TESTS
pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
QUESTION = "What do secure enclaves let a cloud do with your code?"
ABSENT = "Who won the 1998 football world cup?"


@pytest.fixture
def page(browser):
    context, tab, errors = new_page(browser, viewport={"width": 1200, "height": 900})
    yield tab
    context.close()
    assert errors == []


def _api_answer(server, question: str) -> dict:
    response = httpx.post(f"{server.url}/ask", json={"question": question}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _ask(page, question: str) -> None:
    page.click("#tab-ask")
    page.fill("#ask-q", question)
    page.press("#ask-q", "Enter")
    _wait_answer(page)


def _wait_answer(page) -> None:
    page.wait_for_selector("#answer:not([hidden])")
    page.wait_for_function("() => !document.querySelector('#answer').hasAttribute('aria-busy')")


def _silence() -> bytes:
    """One second of silent 8 kHz mono WAV."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * 8000)
    return out.getvalue()


def _played_from(page) -> tuple[str, float]:
    page.wait_for_function("() => document.querySelector('#audio').readyState >= 1")
    return page.eval_on_selector("#audio", "a => a.currentSrc"), page.eval_on_selector("#audio", "a => a.currentTime")


def test_ask_shows_the_answer_and_sources_and_a_source_plays_from_its_quote(page, live_server, tmp_path):
    expected = _api_answer(live_server, QUESTION)
    assert expected["found"]
    page.goto(live_server.url)
    _ask(page, QUESTION)
    assert page.text_content("#answer-text") == expected["answer"]
    assert page.get_attribute("#tab-ask", "aria-selected") == "true" and page.is_hidden("#panel-search")
    items = page.locator("#citations .citation")
    assert items.count() == len(expected["citations"])
    first, cited = items.first, expected["citations"][0]
    assert first.locator(".cite-quote").text_content() == f"“{cited['quote']}”"
    assert first.locator(".cite-title").text_content() == cited["episode"]["title"]
    assert first.locator(".hit-chapter").text_content() == cited["chapter"]["title"]
    assert first.locator(".hit-time").text_content() == f"▶ {cited['timestamp']}"
    assert page.is_hidden("#closest")
    screenshot(page, tmp_path, "ask-desktop.png")

    first.click()
    src, now = _played_from(page)
    assert src.split("#")[0] == cited["episode"]["audio_url"]
    assert src.split("#")[1] == f"t={cited['start_s']:g}"
    assert cited["start_s"] <= now < cited["start_s"] + 3
    assert page.text_content("#now-title") == cited["episode"]["title"]
    screenshot(page, tmp_path, "ask-playing-desktop.png", full_page=False)

    assert "ask=What+do+secure+enclaves" in page.url  # shareable: reloading asks again
    page.reload()
    _wait_answer(page)
    assert page.input_value("#ask-q") == QUESTION
    assert page.text_content("#answer-text") == expected["answer"]


def test_enter_on_a_source_plays_it(page, live_server):
    expected = _api_answer(live_server, "How do you keep aphids off the roses?")
    page.goto(f"{live_server.url}/?ask=How+do+you+keep+aphids+off+the+roses%3F")
    _wait_answer(page)
    page.focus("#ask-q")
    page.keyboard.press("Tab")  # the Ask button
    page.keyboard.press("Tab")  # the first source
    assert page.evaluate("document.activeElement.classList.contains('citation')")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") not in ("", "none")
    page.keyboard.press("Enter")
    src, now = _played_from(page)
    cited = expected["citations"][0]
    assert src.split("#")[0] == cited["episode"]["audio_url"] and abs(now - cited["start_s"]) < 3


def test_an_absent_topic_says_not_found_and_shows_the_closest_passages(page, live_server, tmp_path):
    expected = _api_answer(live_server, ABSENT)
    assert not expected["found"]
    page.goto(live_server.url)
    _ask(page, ABSENT)
    assert page.text_content("#answer-text") == "Not found in these episodes."
    assert page.is_hidden("#sources") and page.is_visible("#closest")
    titles = page.locator("#passages .hit-title").all_text_contents()
    assert titles == [p["episode"]["title"] for p in expected["passages"]]
    screenshot(page, tmp_path, "ask-not-found.png")
    # a closest passage plays like a search result. Which passages are closest to an absent topic is the ranking's
    # call, and the demo episodes' audio is on the web: those requests get a second of local silence instead
    page.route("https://**/*", lambda route: route.fulfill(status=200, content_type="audio/wav", body=_silence()))
    page.locator("#passages .hit").nth(0).click()
    src, _ = _played_from(page)
    assert src.split("#")[0] == expected["passages"][0]["episode"]["audio_url"]


def test_tabs_switch_with_the_keyboard_and_keep_each_mode_in_the_url(page, live_server):
    page.goto(f"{live_server.url}/?q=basalt+lava")
    page.wait_for_selector("#results .hit")
    page.focus("#tab-search")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-ask" and page.is_visible("#ask-q")
    page.wait_for_url("**?ask=")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**?q=basalt+lava")
    assert page.is_visible("#results .hit") and page.is_hidden("#panel-ask")


def test_markup_in_a_quote_is_text(page, live_server):
    question = "Who smiles at every visitor on the island?"
    quotes = [c["quote"] for c in _api_answer(live_server, question)["citations"]]
    assert any('">' in q and q in XSS_TEXT for q in quotes)  # a piece of the passage holding the markup
    page.goto(live_server.url)
    _ask(page, question)
    assert page.locator("#citations .cite-quote").all_text_contents() == [f"“{q}”" for q in quotes]
    assert XSS_TITLE in page.locator("#citations .cite-title").all_text_contents()
    assert page.locator("#panel-ask img, #panel-ask script").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_readable_at_phone_width(browser, live_server, tmp_path):
    context, page, errors = new_page(browser, viewport={"width": 375, "height": 812}, device_scale_factor=2)
    try:
        page.goto(f"{live_server.url}/?ask=What+do+secure+enclaves+let+a+cloud+do+with+your+code%3F")
        _wait_answer(page)
        assert page.locator("#citations .citation").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no horizontal scroll
        screenshot(page, tmp_path, "ask-phone.png")
        page.locator("#citations .citation").first.click()
        _played_from(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, tmp_path, "ask-playing-phone.png", full_page=False)
        page.goto(f"{live_server.url}/?ask=Who+won+the+1998+football+world+cup%3F")
        _wait_answer(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, tmp_path, "ask-not-found-phone.png")
    finally:
        context.close()
    assert errors == []


def test_a_models_words_stream_onto_the_page_then_the_checked_answer(browser, service_index, tmp_path,
                                                                      monkeypatch):
    with chat_server(chunk_delay=0.15) as chat:
        monkeypatch.setenv("PODQUERY_LLM_URL", chat.url)  # start_server hands the environment to the service
        monkeypatch.setenv("PODQUERY_LLM_MODEL", "fabricate")
        server = start_server(service_index, tmp_path / "llm-server.log")
        context, page, errors = new_page(browser, viewport={"width": 1200, "height": 900})
        try:
            page.goto(server.url)
            page.click("#tab-ask")
            page.fill("#ask-q", QUESTION)
            page.press("#ask-q", "Enter")
            page.wait_for_selector("#answer.drafting")  # words shown while the model writes
            assert page.text_content("#answer-label") == "Writing…"
            screenshot(page, tmp_path, "ask-llm-writing.png")
            page.wait_for_selector("#answer:not(.drafting) #citations .citation")
            _wait_answer(page)
            label = page.text_content("#answer-label")
            assert label == "Answer · written by a language model, checked against 1 source"
            assert page.text_content("#answer-note") == (
                "1 quote was left out: not found word for word in the episodes.")
            assert page.locator("#citations .citation").count() == 1
            assert FABRICATED not in page.text_content("#answer-text")  # an invented quote is never shown
            screenshot(page, tmp_path, "ask-llm-desktop.png")
        finally:
            context.close()
            server.stop()
    assert errors == []
