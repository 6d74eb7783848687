"""Shared fixtures: where the large real corpora live (skipped without them) and the real model, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
FIXTURES = REPO / "tests" / "fixtures"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
requires_corpus = pytest.mark.skipif(
    not SHARED_CORPUS.is_dir(),
    reason="../shared/corpus is absent (it exists in CI and on dev machines); this test reads the large real corpora",
)


@pytest.fixture(scope="session")
def real_embedder():
    """The packaged all-MiniLM-L6-v2, loaded once per test session (a few seconds)."""
    from indexer.embedding import SentenceTransformerEmbedder
    from indexer.settings import DEFAULT_MODEL

    return SentenceTransformerEmbedder(DEFAULT_MODEL)
