"""Evaluation results as a Markdown table: one row per run, per group and per split, the metric columns."""

from __future__ import annotations

from collections.abc import Sequence

from indexer.eval.evaluate import EvalResult


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_table(results: EvalResult | Sequence[EvalResult], *, groups: bool = True) -> str:
    """A Markdown table: one row per run (and per group of it), the metric columns, offsets and speed."""
    results = [results] if isinstance(results, EvalResult) else list(results)
    head = ("| run | group | n | hit@1 | hit@5 | hit@10 | MRR@10 | nDCG@10 | seek s med / mean | start s med / mean "
            "| ms/q |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = [head]
    for r in results:
        parts = [("all", r.overall)] + (list(r.groups.items()) if groups and len(r.groups) > 1 else [])
        parts += list(r.splits.items()) if groups and len(r.splits) > 1 else []
        for name, m in parts:
            rows.append(f"| {r.label} | {name} | {m.n} | {_num(m.hit_at_1)} | {_num(m.hit_at_5)} | "
                        f"{_num(m.hit_at_10)} | {_num(m.mrr_at_10)} | {_num(m.ndcg_at_10)} | "
                        f"{_num(m.seek_median_s, 1)} / {_num(m.seek_mean_s, 1)} | "
                        f"{_num(m.start_median_s, 1)} / {_num(m.start_mean_s, 1)} | "
                        f"{_num(r.ms_per_query, 1) if name == 'all' else ''} |")
    return "\n".join(rows)
