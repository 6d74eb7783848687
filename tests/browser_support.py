"""The browser tests' shared parts: Debian's Chromium through Playwright, pages that record their errors, and
screenshots kept in test-results/ (git-ignored) for a person to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from service_support import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RESULTS_DIR = REPO / "test-results"
# pytestmark of every browser test module (each also importorskips playwright, so it skips without it)
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium "
                                                       "(apt-get install chromium; CI installs it)"),
]


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium, closed on exit; playwright is imported here, so only browser tests need it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Any, **context_options: Any) -> tuple[Any, Any, list[str]]:
    """(context, page, errors): a page in a fresh context whose console errors and uncaught exceptions are
    appended to `errors` for the caller to check."""
    context = browser.new_context(**context_options)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return context, tab, errors


def screenshot(page: Any, tmp_path: Path, name: str, *, full_page: bool = True) -> None:
    """A screenshot in pytest's tmp_path, copied to test-results/."""
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(tmp_path / name), full_page=full_page)
    shutil.copy(tmp_path / name, RESULTS_DIR / name)
