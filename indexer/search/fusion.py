"""Weighted reciprocal rank fusion: merge ranked id lists from several retrievers into one ranking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Fused:
    """One fused result: its score and, per retriever that found it, the 1-based rank and raw score."""

    id: int
    score: float
    found_by: dict[str, tuple[int, float]] = field(default_factory=dict)


def rrf(ranked: Mapping[str, Sequence[tuple[int, float]]], weights: Mapping[str, float], k: int = 60) -> list[Fused]:
    """score(d) = sum over retrievers r of weight_r / (k + rank_r(d)); ties keep the first retriever's order.

    Weights let a weaker retriever add recall without pulling a stronger one's results down.
    """
    fused: dict[int, Fused] = {}
    for name, results in ranked.items():
        weight = weights.get(name, 1.0)
        for rank, (doc, raw) in enumerate(results, start=1):
            entry = fused.setdefault(doc, Fused(doc, 0.0))
            entry.score += weight / (k + rank)
            entry.found_by[name] = (rank, raw)
    return sorted(fused.values(), key=lambda f: -f.score)
