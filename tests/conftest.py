"""Shared fixtures: where the large real corpora live (skipped without them) and the real model, loaded once.

Also the test tiers: each test gets the marker of the folder it lives in (tests/unit/ -> `unit`, ...), so
`pytest -m unit` runs the fast tier without a decorator on every test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
# one folder under tests/ per tier, named as its marker (registered in pyproject.toml)
TIERS = ("unit", "model", "service", "browser", "corpus", "fuzz", "crash")
requires_corpus = pytest.mark.skipif(
    not SHARED_CORPUS.is_dir(),
    reason="../shared/corpus is absent (it exists in CI and on dev machines); this test reads the large real corpora",
)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker, so the tier markers are there to select on
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier: the first folder of its path under tests/."""
    for item in items:
        path = item.path.resolve()
        tier = path.relative_to(TESTS).parts[0] if path.is_relative_to(TESTS) else None
        if tier in TIERS:
            item.add_marker(tier)
        else:  # still run by the whole suite, but by no tier: say so rather than drop it from `--fast` silently
            item.warn(pytest.PytestWarning(f"{item.nodeid} is in no tier folder ({', '.join(TIERS)}): "
                                           "move it to tests/<tier>/"))


@pytest.fixture(scope="session")
def real_embedder():
    """The packaged all-MiniLM-L6-v2, loaded once per test session (a few seconds)."""
    from indexer.index.embedding import SentenceTransformerEmbedder
    from indexer.settings import DEFAULT_MODEL

    return SentenceTransformerEmbedder(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory, real_embedder):
    """The demo corpus in data/ built once per session with the real model (about a minute on 2 cores)."""
    from indexer.index.updates import build
    from indexer.settings import Settings

    out = tmp_path_factory.mktemp("demo") / "index"
    report = build([DATA], out, Settings(), real_embedder)
    assert not report.skipped, report.skipped
    return out


@pytest.fixture(scope="session")
def service_index(tmp_path_factory, real_embedder) -> Path:
    """A small index of `service_support.service_sources()` built with the real model, shared read-only."""
    from service_support import service_sources

    from indexer.index.updates import build_sources
    from indexer.settings import Settings

    path = tmp_path_factory.mktemp("service") / "index"
    build_sources(service_sources(), path, Settings(), real_embedder)
    return path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, real_embedder):
    """`python -m service` on a free port over the service episodes (+ one demo episode when indexer.corpus
    reads it), their audio served locally; started once and shared by the e2e and browser tests."""
    from service_support import live_service

    with live_service(tmp_path_factory.mktemp("live"), real_embedder) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one browser test module (tests/browser_support.py)."""
    from browser_support import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def chat():
    """The OpenAI-protocol stand-in of tests/llm_server.py, for one module."""
    from llm_server import chat_server

    with chat_server() as server:
        yield server
