"""An answer's work is bounded: however long a retrieved passage is, the extractive answerer embeds at most
MAX_SENTENCES_PER_PASSAGE of its sentences, MAX_SENTENCES in all, EMBED_BATCH per embed call (issue 14, defect 2).

Summaries are cut into token windows like transcripts, but a window is as long as PODQUERY_CHUNK_TOKENS says and
an index built before that keeps each summary whole: the fixture's windows hold a whole 1,500-sentence summary.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support import make_source

from indexer.answer.extractive import EMBED_BATCH, MAX_SENTENCES, MAX_SENTENCES_PER_PASSAGE, ExtractiveAnswerer
from indexer.index.embedding import Embedder
from indexer.index.reader import Index
from indexer.index.updates import build_sources
from indexer.search.filters import Filters
from indexer.search.searcher import Searcher
from indexer.settings import ChunkSettings, Settings

SETTINGS = Settings()
QUESTION = "What hardware runs code on data the operator cannot see?"
LONG_SUMMARY = " ".join(f"Summary note {i} says we talked about computers and privacy with a guest."
                        for i in range(1500))


class CountingEmbedder:
    """The real embedder, recording the texts of every `embed` call."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dimension, self.fingerprint = inner.name, inner.dimension, inner.fingerprint
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.embed(texts, progress=progress)

    def texts(self) -> int:
        return sum(len(call) for call in self.calls)


@pytest.fixture(scope="module")
def bounded_index(tmp_path_factory, real_embedder) -> Path:
    """One episode with the answer in its transcript and a 1,500-sentence summary, and eight episodes whose
    100-sentence summaries (8 x 60 > 400) overflow the total cap."""
    sources = [make_source("enclave", [
        (0, 20, "Welcome to the show. Today we have Illia with us.", "Host"),
        (20, 60, "Secure enclaves are hardware that runs your code on data the cloud operator can never see. "
                 "That makes private inference possible.", "Illia"),
    ], title="Private AI", duration_s=60, summary=LONG_SUMMARY)]
    sources += [make_source(f"notes{n}", [(0, 10, f"Short episode {n} about gardening.", "Sam")], duration_s=10,
                            summary=" ".join(f"Note {i} of episode {n} covers computers and privacy."
                                             for i in range(100)))
                for n in range(8)]
    path = tmp_path_factory.mktemp("bounds") / "idx"
    build_sources(sources, path, Settings(chunk=ChunkSettings(max_tokens=100_000)), real_embedder)
    return path


def _answerer(path: Path, embedder: CountingEmbedder) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(Searcher(Index.open(path), embedder, SETTINGS))


def _search_texts(answerer: ExtractiveAnswerer, embedder: CountingEmbedder, k: int,
                  filters: Filters | None = None) -> int:
    """Texts the search alone embeds for QUESTION, so the answerer's share can be told apart."""
    embedder.calls.clear()
    answerer.searcher.search(QUESTION, k=k, filters=filters)
    return embedder.texts()


def test_a_long_summary_is_capped_and_the_transcript_still_answers(bounded_index, real_embedder):
    embedder = CountingEmbedder(real_embedder)
    answerer = _answerer(bounded_index, embedder)
    episode = Filters(episode="enclave")  # the long summary, among the passages the answer reads
    searched = _search_texts(answerer, embedder, k=6, filters=episode)
    embedder.calls.clear()
    answer = answerer.ask(QUESTION, filters=episode)
    assert any(h.kind == "summary" and h.episode.id == "enclave" for h in answer.passages)
    summary_sentences = [t for call in embedder.calls for t in call if t.startswith("Summary note")]
    assert len(summary_sentences) == MAX_SENTENCES_PER_PASSAGE  # the first ones, in order, not all 1,500
    assert summary_sentences[0].startswith("Summary note 0 ")
    assert embedder.texts() - searched <= MAX_SENTENCES + 1  # + the question
    assert max(len(call) for call in embedder.calls) <= EMBED_BATCH
    assert answer.found and answer.citations[0].quote.startswith("Secure enclaves are hardware")
    assert answer.citations[0].start_s == 20.0


def test_many_long_passages_stop_at_the_total_cap(bounded_index, real_embedder):
    embedder = CountingEmbedder(real_embedder)
    answerer = _answerer(bounded_index, embedder)
    searched = _search_texts(answerer, embedder, k=12)
    embedder.calls.clear()
    answer = answerer.ask(QUESTION, k=12)
    assert sum(1 for h in answer.passages if h.kind == "summary") * MAX_SENTENCES_PER_PASSAGE > MAX_SENTENCES
    assert embedder.texts() - searched == MAX_SENTENCES + 1  # the cap is reached, not passed
    assert max(len(call) for call in embedder.calls) <= EMBED_BATCH
