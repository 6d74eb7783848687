"""Measure search quality on a set of judged queries: hit@1/5/10, MRR@10, nDCG@10 and seek offset, per group.

A query names its target: an episode, and optionally a time range `[start_s, end_s)` in it. A returned passage
is relevant when it belongs to that episode and (for a moment-level target) its time range overlaps the target
range; for an episode-level target any passage of the episode is relevant. How it is scored:

- Documents are passage ids. The qrels of a query are *every* relevant passage in the index (read from the
  store with the same rule), not only those returned, so nDCG's ideal ranking is exact. For episode-level
  targets that set is the whole episode, so nDCG@10 there says how much of the top 10 is that episode;
  hit@k and MRR are the headline numbers for them.
- The run is our ranking with score = k - rank, strictly decreasing: trec_eval breaks score ties by doc id,
  which would reorder fused results that tie.
- Metrics come from ir-measures (Success@k = hit@k, RR@10, nDCG@10) per query, then averaged overall and per
  `group`; a query whose target holds no passage in the index cannot be judged and is left out (listed).
- Seek offset: for the first relevant hit, |seek_s - target start_s| (where the player starts) and
  |start_s - target start_s| (the passage start, what seeking improves on); medians over moment-level queries.
- `exclude_kinds` (per query, or for the whole run) drops passages of those kinds from the ranking before
  judging: a query cut from an episode's description would otherwise find its own summary passage verbatim.
  Such queries are fetched 3k deep, then cut to k after the drop.

The queries file is JSON Lines: {"qid", "query", "episode", "start_s", "end_s", "group"?, "split"?,
"exclude_kinds"?}. The natural-question format of `../shared/devset` ({"qid", "style", "question", ...}) reads
the same: `question` is the query and `style` its group. A `split` (a half of a dev set: tune on one, report
both) is given, or taken from a qid like `LX-A001` (`LX-A`); results are then also given per split and per
split and group.
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import ir_measures
from ir_measures import RR, Success, nDCG

from indexer.errors import InputError
from indexer.search.hits import Hit
from indexer.search.query import MAX_K
from indexer.search.searcher import Searcher

log = logging.getLogger(__name__)

CUTOFFS = (1, 5, 10)
_SPLIT_QID = re.compile(r"^([A-Za-z]+-[A-Z])[0-9]+$")  # LX-A001 -> LX-A


@dataclass(frozen=True)
class Query:
    """One judged query: its text and where the answer is (an episode, optionally a time range in it)."""

    qid: str
    query: str
    episode: str
    start_s: float | None = None
    end_s: float | None = None
    group: str = "all"
    exclude_kinds: tuple[str, ...] = ()
    split: str = ""

    @property
    def span(self) -> tuple[float, float] | None:
        """The target range [start_s, end_s) of a moment-level query; None for an episode-level one (`read_queries`
        accepts both times or neither)."""
        return None if self.start_s is None or self.end_s is None else (self.start_s, self.end_s)

    @property
    def moment(self) -> bool:
        return self.span is not None


@dataclass(frozen=True)
class Candidate:
    """What judging needs of a passage: its id, episode, kind and time range."""

    id: int
    episode: str
    kind: str
    start_s: float | None
    end_s: float | None
    seek_s: float | None = None


@dataclass
class Metrics:
    """Averages over a set of queries (hit@k as a share of queries; offsets are medians in seconds)."""

    n: int = 0
    hit_at_1: float = 0.0
    hit_at_5: float = 0.0
    hit_at_10: float = 0.0
    mrr_at_10: float = 0.0
    ndcg_at_10: float = 0.0
    seek_n: int = 0  # moment-level queries with a relevant hit in the top k
    seek_median_s: float | None = None
    start_median_s: float | None = None
    seek_mean_s: float | None = None  # the median hides the tail: most seeks are exact, a few are far off
    start_mean_s: float | None = None


@dataclass
class Outcome:
    """One query's result: the ranked passage ids, the 1-based ranks judged relevant, its metric values."""

    qid: str
    group: str
    ranked: list[int]
    relevant_ranks: list[int]
    values: dict[str, float]
    seek_error_s: float | None = None
    start_error_s: float | None = None
    split: str = ""


@dataclass
class EvalResult:
    """An evaluation run: overall and per-group metrics, every query's outcome, and what could not be judged."""

    label: str
    k: int
    overall: Metrics
    groups: dict[str, Metrics]
    outcomes: list[Outcome] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)  # qids whose target has no passage in the index
    seconds: float = 0.0
    splits: dict[str, Metrics] = field(default_factory=dict)  # per split, and per "split group"

    @property
    def ms_per_query(self) -> float:
        return 1000 * self.seconds / max(1, len(self.outcomes))

    def to_json(self, *, per_query: bool = False) -> dict[str, object]:
        data = asdict(self)
        data["ms_per_query"] = round(self.ms_per_query, 2)
        if not per_query:
            data.pop("outcomes")
        return data


def read_queries(path: Path) -> list[Query]:
    """Queries from a JSON Lines file; a bad line raises InputError naming the line and field."""
    out: list[Query] = []
    seen: set[str] = set()
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON ({exc.msg})", source=str(path), where=where) from None
        if "query" not in row and "question" in row:  # the natural-question format
            row["query"] = row["question"]
        for name in ("qid", "query", "episode"):
            if not isinstance(row.get(name), (str, int)) or str(row[name]).strip() == "":
                raise InputError(f"field {name}: required (a non-empty string)", source=str(path), where=where)
        start, end = row.get("start_s"), row.get("end_s")
        if any(v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))) for v in (start, end)):
            raise InputError("fields start_s/end_s: seconds (numbers) or null", source=str(path), where=where)
        if (start is None) != (end is None) or (start is not None and not start < end):
            raise InputError("fields start_s/end_s: give both (start < end) or neither", source=str(path), where=where)
        qid = str(row["qid"])
        if qid in seen:
            raise InputError(f"field qid: {qid!r} repeats an earlier line", source=str(path), where=where)
        seen.add(qid)
        split = row.get("split") or (m.group(1) if (m := _SPLIT_QID.match(qid)) else "")
        out.append(Query(qid, str(row["query"]), str(row["episode"]),
                         None if start is None else float(start), None if end is None else float(end),
                         str(row.get("group") or row.get("style") or "all"), tuple(row.get("exclude_kinds") or ()),
                         str(split)))
    return out


def is_relevant(query: Query, passage: Candidate) -> bool:
    """The judging rule: the target episode, and for a moment an overlap of [start_s, end_s] with [start, end)."""
    if passage.episode != query.episode or passage.kind in query.exclude_kinds:
        return False
    if query.span is None:
        return True
    if passage.start_s is None:
        return False
    start_s, end_s = query.span
    end = passage.end_s if passage.end_s is not None else passage.start_s
    return passage.start_s < end_s and (end > start_s or passage.start_s >= start_s)


def score(queries: Sequence[Query], ranked: dict[str, list[Candidate]], pool: dict[str, list[Candidate]],
          *, k: int = 10, label: str = "") -> EvalResult:
    """Judge rankings (qid -> top passages) against every passage of each target episode (`pool`, episode -> all).

    Pure: no index or model; the tests and `evaluate` both call it.
    """
    measures = {f"hit@{c}": Success @ c for c in CUTOFFS} | {"mrr@10": RR @ 10, "ndcg@10": nDCG @ 10}
    qrels, run, outcomes, unjudged = [], [], [], []
    for q in queries:
        relevant = {p.id for p in pool.get(q.episode, []) if is_relevant(q, p)}
        if not relevant:
            unjudged.append(q.qid)
            continue
        qrels += [ir_measures.Qrel(q.qid, str(pid), 1) for pid in relevant]
        hits = [c for c in ranked.get(q.qid, []) if c.kind not in q.exclude_kinds][:k]
        run += [ir_measures.ScoredDoc(q.qid, str(c.id), float(k - r)) for r, c in enumerate(hits)]
        ranks = [r for r, c in enumerate(hits, start=1) if c.id in relevant]
        outcome = Outcome(q.qid, q.group, [c.id for c in hits], ranks, {}, split=q.split)
        if ranks and q.span is not None:
            target_s = q.span[0]
            first = hits[ranks[0] - 1]
            seek = first.seek_s if first.seek_s is not None else first.start_s
            outcome.seek_error_s = abs(seek - target_s) if seek is not None else None
            outcome.start_error_s = abs(first.start_s - target_s) if first.start_s is not None else None
        outcomes.append(outcome)
    by_qid = {o.qid: o for o in outcomes}
    names = {str(m): name for name, m in measures.items()}
    for o in outcomes:
        o.values = dict.fromkeys(measures, 0.0)  # a query with no results is absent from the run: it scores 0
    if qrels:
        for m in ir_measures.iter_calc(list(measures.values()), qrels, run):
            by_qid[m.query_id].values[names[str(m.measure)]] = float(m.value)
    groups = {g: _average([o for o in outcomes if o.group == g]) for g in sorted({o.group for o in outcomes})}
    splits: dict[str, Metrics] = {}
    for s in sorted({o.split for o in outcomes if o.split}):
        splits[s] = _average([o for o in outcomes if o.split == s])
        if len(groups) > 1:
            for g in groups:
                splits[f"{s} {g}"] = _average([o for o in outcomes if o.split == s and o.group == g])
    if unjudged:
        log.warning("%d queries have no passage of their target in the index and were not judged: %s",
                    len(unjudged), ", ".join(unjudged[:10]))
    return EvalResult(label, k, _average(outcomes), groups, outcomes, unjudged, splits=splits)


def _average(outcomes: Sequence[Outcome]) -> Metrics:
    if not outcomes:
        return Metrics()
    mean = {name: statistics.fmean(o.values[name] for o in outcomes) for name in outcomes[0].values}
    seeks = [o.seek_error_s for o in outcomes if o.seek_error_s is not None]
    starts = [o.start_error_s for o in outcomes if o.start_error_s is not None]
    return Metrics(
        n=len(outcomes), hit_at_1=mean["hit@1"], hit_at_5=mean["hit@5"], hit_at_10=mean["hit@10"],
        mrr_at_10=mean["mrr@10"], ndcg_at_10=mean["ndcg@10"], seek_n=len(seeks),
        seek_median_s=statistics.median(seeks) if seeks else None,
        start_median_s=statistics.median(starts) if starts else None,
        seek_mean_s=statistics.fmean(seeks) if seeks else None,
        start_mean_s=statistics.fmean(starts) if starts else None,
    )


def _candidate(hit: Hit) -> Candidate:
    return Candidate(hit.id, hit.episode.id, hit.kind, hit.start_s, hit.end_s, hit.seek_s)


def episode_pool(searcher: Searcher, episodes: Iterable[str]) -> dict[str, list[Candidate]]:
    """Every passage of these episodes, to build exact qrels from (read straight from the index's store)."""
    pool: dict[str, list[Candidate]] = {}
    for episode in sorted(set(episodes)):
        rows = searcher.index.episode_passages(episode)
        pool[episode] = [Candidate(pid, episode, kind, start, end) for pid, kind, start, end in rows]
    return pool


def evaluate(searcher: Searcher, queries: Sequence[Query], *, mode: str = "hybrid", k: int = 10,
             exclude_kinds: Sequence[str] = (), batch_size: int = 64, label: str | None = None) -> EvalResult:
    """Run the queries through the searcher in batches and score them; `exclude_kinds` applies to every query."""
    if exclude_kinds:
        queries = [Query(q.qid, q.query, q.episode, q.start_s, q.end_s, q.group,
                         tuple(dict.fromkeys([*q.exclude_kinds, *exclude_kinds])), q.split) for q in queries]
    ranked: dict[str, list[Candidate]] = {}
    started = time.perf_counter()
    for deep in (False, True):  # queries that drop kinds are fetched deeper, so k remain after the drop
        todo = [q for q in queries if bool(q.exclude_kinds) == deep]
        fetch = min(MAX_K, 3 * k) if deep else k
        for n in range(0, len(todo), batch_size):
            batch = todo[n:n + batch_size]
            results = searcher.search_batch([q.query for q in batch], k=fetch, mode=mode)
            for q, found in zip(batch, results, strict=True):  # one result per query
                ranked[q.qid] = [_candidate(h) for h in found.hits]
    seconds = time.perf_counter() - started
    result = score(queries, ranked, episode_pool(searcher, (q.episode for q in queries)), k=k,
                   label=label or mode)
    result.seconds = seconds
    return result


def evaluate_file(searcher: Searcher, path: Path, *, mode: str = "hybrid", k: int = 10) -> EvalResult:
    """`python -m indexer eval DIR QUERIES.jsonl`: read the queries file and evaluate it."""
    return evaluate(searcher, read_queries(path), mode=mode, k=k)
