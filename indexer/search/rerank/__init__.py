"""The second stage of search: a learned ranker (LightGBM lambdarank) over the first stage's fused candidates.

`features.py` computes what the ranker sees (pure), `ranker.py` loads the packaged model and checks its version
and feature list, `stage.py` gathers the inputs from the index and reorders. `bench/train_ranker.py` trains the
model from a dev set's questions and writes `ranker.txt` and `ranker.json` here.
"""

from __future__ import annotations

import functools

from indexer.search.rerank.ranker import Ranker


@functools.cache
def default_ranker() -> Ranker:
    """The packaged ranker, loaded once per process (a few milliseconds)."""
    return Ranker.load()
