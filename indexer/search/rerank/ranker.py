"""The learned ranker of the second stage: a LightGBM lambdarank model shipped in the package, loaded offline.

The model file (`ranker.txt`, LightGBM's own text format) sits beside `ranker.json`, which names the format
version, the feature list it was trained on and how it was trained. Loading checks both against this code, so a
model trained on other features is refused with the fix, never silently misread. LightGBM was picked over a
hand-written scorer because it is the well-kept standard for learning to rank from a few dozen features, and
its text models load in milliseconds with no network.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from indexer.errors import IndexError_
from indexer.search.rerank.features import FEATURES

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MODEL_DIR = Path(__file__).parent
MODEL_FILE, META_FILE = "ranker.txt", "ranker.json"


class Ranker:
    """Scores feature rows: higher is better. Deterministic (one thread, no randomness at prediction)."""

    def __init__(self, booster: object, meta: dict[str, object]) -> None:
        self._booster = booster
        self.meta = meta

    @classmethod
    def load(cls, folder: Path = MODEL_DIR) -> Ranker:
        import lightgbm  # only when a second stage is used

        meta_path, model_path = folder / META_FILE, folder / MODEL_FILE
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexError_(f"the ranker's {meta_path.name} cannot be read ({exc}); reinstall podquery or "
                              "retrain it with python bench/train_ranker.py") from None
        if meta.get("format_version") != FORMAT_VERSION:
            raise IndexError_(f"the ranker is format {meta.get('format_version')}, this podquery reads format "
                              f"{FORMAT_VERSION}; retrain it with python bench/train_ranker.py")
        if list(meta.get("features", [])) != list(FEATURES):
            raise IndexError_("the ranker was trained on other features than this podquery computes; retrain it "
                              "with python bench/train_ranker.py")
        try:
            booster = lightgbm.Booster(model_file=str(model_path))
        except (OSError, lightgbm.basic.LightGBMError) as exc:
            raise IndexError_(f"the ranker's {model_path.name} cannot be loaded ({exc}); retrain it with "
                              "python bench/train_ranker.py") from None
        if booster.num_feature() != len(FEATURES):
            raise IndexError_(f"the ranker expects {booster.num_feature()} features, not {len(FEATURES)}; retrain it")
        log.debug("loaded ranker %s (%s)", model_path, meta.get("trained_on"))
        return cls(booster, meta)

    def score(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        matrix = np.asarray(rows, dtype=np.float64)
        return np.asarray(self._booster.predict(matrix, num_threads=1), dtype=np.float64)  # type: ignore[attr-defined]
