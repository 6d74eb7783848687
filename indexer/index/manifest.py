"""`manifest.json`: what an index is (format, model, chunking, keyword engine, counts) and which generation holds
its files."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from indexer import __version__
from indexer.errors import IndexError_
from indexer.index.encoder_match import Encoder, check_encoders
from indexer.index.keyword_engine import LEGACY_ENGINE

FORMAT = "podquery-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def utc_now() -> str:
    """Now, as the manifest's `created` and `updated` record it: `2026-11-24T19:23:04+00:00`."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Manifest:
    """Written last and atomically: an index exists exactly when its manifest names a complete generation."""

    generation: str
    model: dict[str, object]  # name, dimension, fingerprint
    chunking: dict[str, object]
    faiss_factory: str
    counts: dict[str, object]
    # the keyword engine that built the generation, which reads and updates it (absent before tantivy: FTS5)
    keyword_engine: str = LEGACY_ENGINE
    created: str = field(default_factory=utc_now)
    updated: str | None = None
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    package_version: str = __version__
    # the encoder that made the vectors, spelled out from `model.fingerprint` (which already names it) for people
    # and tools reading manifest.json; always derived, so it cannot disagree with the fingerprint
    encoder: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.encoder = Encoder.of(str(self.model.get("fingerprint", ""))).describe()

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def read(cls, index_dir: Path) -> Manifest:
        path = index_dir / MANIFEST
        if not path.is_file():
            raise IndexError_(f"{index_dir} is not a podquery index (no {MANIFEST}); "
                              f"build one with: python -m indexer build SOURCE... --out {index_dir}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexError_(f"{path} cannot be read ({exc}); rebuild the index with python -m indexer build") from exc
        if data.get("format") != FORMAT:
            raise IndexError_(f"{path} is not a podquery manifest (format={data.get('format')!r})")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise IndexError_(
                f"{index_dir} has index format {version}, this podquery ({__version__}) reads format "
                f"{FORMAT_VERSION}; rebuild it: python -m indexer build SOURCE... --out {index_dir}")
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as exc:
            raise IndexError_(f"{path} is missing fields ({exc}); rebuild the index") from exc

    def write(self, index_dir: Path) -> None:
        """Replace the manifest atomically: temp file, fsync, rename, fsync the directory."""
        tmp = index_dir / f".{MANIFEST}.{os.getpid()}.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(self.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, index_dir / MANIFEST)
        fsync_dir(index_dir)

    def check_model(self, name: str, dimension: int, fingerprint: str, index_dir: Path) -> None:
        """Refuse to query with a model other than the one the vectors were made with, or with an encoder of it
        that is not known to give the same vectors (indexer/index/encoder_match.py)."""
        built = (self.model.get("name"), self.model.get("dimension"), self.model.get("fingerprint"))
        same_weights = Encoder.of(str(built[2])).weights == Encoder.of(fingerprint).weights
        if built[:2] != (name, dimension) or not same_weights:
            raise IndexError_(
                f"{index_dir} was built with model {built[0]} ({built[1]} dims, weights {built[2]}) but the "
                f"configured model is {name} ({dimension} dims, weights {fingerprint}); set PODQUERY_MODEL="
                f"{built[0]} or rebuild: python -m indexer build SOURCE... --out {index_dir}")
        check_encoders(str(built[2]), fingerprint, index_dir)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
