"""Sentence embeddings of passages, computed once per passage and kept in a bounded cache.

An answer scores every sentence of the passages it read. The same passages come back for related questions (and
for every repeat of one), and embedding their sentences is most of an answer's cost (~5 ms a sentence on one
core), so each passage's sentence vectors are kept, keyed by passage id and a hash of its text (an updated
passage under the same id is embedded anew), least recently used first out.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from indexer.index.embedding import Embedder
from indexer.passages.sentences import sentence_spans

# A 200-token transcript passage holds ~10-15 sentences, so 60 per passage leaves normal passages whole; a summary
# is one passage of any length (1,500 sentences made one /ask take 8 s): past the cap its first sentences are read
MAX_SENTENCES_PER_PASSAGE = 60
# Sentences embedded per call. The service runs one embed call at a time (service/state.py SerialEmbedder), so a
# batch is how long an answer can keep a search waiting: 64 short sentences take ~0.3 s on one core
EMBED_BATCH = 64
# ~15 sentences x 384 floats = 23 KB a passage: 4,096 passages are ~90 MB at most
CACHE_PASSAGES = 4096


@dataclass(frozen=True)
class PassageSentences:
    """The sentences of one passage: character spans in its text and one unit vector each (rows in span order)."""

    spans: list[tuple[int, int]]
    vectors: np.ndarray


def passage_spans(text: str) -> list[tuple[int, int]]:
    """Every sentence of a passage in text order, at most MAX_SENTENCES_PER_PASSAGE."""
    return sentence_spans(text)[:MAX_SENTENCES_PER_PASSAGE]


def _key(passage_id: int, text: str, count: int) -> tuple[int, bytes, int]:
    return passage_id, hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), count


class SentenceVectors:
    """Per-passage sentence vectors with an LRU cache; thread-safe (embedding happens outside the lock)."""

    def __init__(self, embedder: Embedder, max_passages: int = CACHE_PASSAGES) -> None:
        self.embedder = embedder
        self.max_passages = max_passages
        self._cache: OrderedDict[tuple[int, bytes, int], PassageSentences] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, passages: list[tuple[int, str]], total: int | None = None) -> list[PassageSentences]:
        """The sentences of each (passage id, text), embedding only the passages not seen before. With `total`,
        the first passages' sentences up to that many in all (a passage past it gets none)."""
        counts = []
        room = total if total is not None else len(passages) * MAX_SENTENCES_PER_PASSAGE
        for _, text in passages:
            counts.append(min(len(passage_spans(text)), room))
            room -= counts[-1]
        keys = [_key(pid, text, n) for (pid, text), n in zip(passages, counts, strict=True)]
        found: dict[tuple[int, bytes, int], PassageSentences] = {}
        with self._lock:
            for key in keys:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    found[key] = self._cache[key]
        missing = [(key, text) for key, (_, text) in zip(keys, passages, strict=True) if key not in found]
        if missing:
            computed = self._compute([(text, key[2]) for key, text in missing])
            with self._lock:
                for (key, _), item in zip(missing, computed, strict=True):
                    found[key] = self._cache[key] = item
                while len(self._cache) > self.max_passages:
                    self._cache.popitem(last=False)
        return [found[key] for key in keys]

    def _compute(self, texts: list[tuple[str, int]]) -> list[PassageSentences]:
        spans = [passage_spans(text)[:count] for text, count in texts]
        flat = [text[s:e] for (text, _), ss in zip(texts, spans, strict=True) for s, e in ss]
        vectors = self.embed(flat)
        out, at = [], 0
        for ss in spans:
            out.append(PassageSentences(ss, vectors[at:at + len(ss)]))
            at += len(ss)
        return out

    def embed(self, texts: list[str]) -> np.ndarray:
        """`texts` embedded EMBED_BATCH at a time, so no answer holds the shared embedder for one long call."""
        batches = [self.embedder.embed(texts[i:i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)]
        if not batches:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.asarray(np.concatenate(batches), dtype=np.float32)
