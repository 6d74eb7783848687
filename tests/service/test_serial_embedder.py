"""The service's one shared model: a long embed (a write's passages) takes the lock a batch at a time, so a search's
query embedding waits for one batch, not for the whole write (bench/attack.py measured 15-40 s before)."""

from __future__ import annotations

import threading
import time

import numpy as np

from service.state import BATCH, SerialEmbedder


class SlowEmbedder:
    name, dimension, fingerprint = "slow", 4, "slow"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.calls.append(len(texts))
        time.sleep(0.05)
        return np.ones((len(texts), self.dimension), dtype=np.float32)


def test_a_long_embed_lets_a_query_in_between_its_batches():
    inner = SlowEmbedder()
    serial = SerialEmbedder(inner)
    done: dict[str, float] = {}

    def write() -> None:
        vectors = serial.embed([f"passage {i}" for i in range(10 * BATCH)])
        assert vectors.shape == (10 * BATCH, 4)
        done["write"] = time.monotonic()

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.08)  # the write is under way
    asked = time.monotonic()
    assert serial.embed(["a query"]).shape == (1, 4)
    done["query"] = time.monotonic()
    writer.join()
    assert max(inner.calls) <= BATCH and sum(inner.calls) == 10 * BATCH + 1
    assert done["query"] < done["write"]  # the query did not wait for the whole write
    assert done["query"] - asked < 0.3  # about one batch's wait (0.05 s), not ten
