"""Train the second stage's ranker (LightGBM lambdarank) and write it into the package.

    python bench/train_ranker.py --index bench/work/lex160-index --questions ../shared/devset/lexicap_questions.jsonl

Features come from the library's own code path (`Searcher.first_stage` then `SecondStage.candidates` and
`feature_rows`), so what the ranker learns from is exactly what it will see when serving. Labels: a candidate is
relevant when `indexer.eval.evaluate.is_relevant` says so (its episode, overlapping the answer's span). Trained on
one split (`--train LX-A`, the tuning half), and reported on both: the other half is held out. The model is
deterministic (one thread, fixed seed) and small (a few dozen shallow trees).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import lightgbm  # noqa: E402

from indexer.eval.evaluate import Candidate as Judged  # noqa: E402
from indexer.eval.evaluate import Query, is_relevant, read_queries  # noqa: E402
from indexer.index.embedding import load_embedder  # noqa: E402
from indexer.index.reader import Index  # noqa: E402
from indexer.search.query import query_terms  # noqa: E402
from indexer.search.rerank.features import FEATURES, feature_rows  # noqa: E402
from indexer.search.rerank.ranker import FORMAT_VERSION, META_FILE, MODEL_DIR, MODEL_FILE  # noqa: E402
from indexer.search.rerank.stage import SecondStage  # noqa: E402
from indexer.search.searcher import Searcher  # noqa: E402
from indexer.settings import Settings  # noqa: E402

PARAMS = {"objective": "lambdarank", "metric": "ndcg", "ndcg_eval_at": [10], "learning_rate": 0.05,
          "num_leaves": 7, "min_data_in_leaf": 40, "feature_fraction": 0.8, "bagging_fraction": 0.8,
          "bagging_freq": 1, "lambda_l2": 1.0, "label_gain": [0, 1], "verbose": -1, "deterministic": True,
          "num_threads": 1, "seed": 7}


def examples(index_dir: Path, queries: list[Query], answers: dict[str, str] | None = None
             ) -> list[tuple[Query, np.ndarray, np.ndarray]]:
    """(query, feature rows, 0/1 labels) per query, over its first-stage candidates. With `answers` (qid -> the
    answer's first words, for mined questions) a candidate is relevant when its text holds those words."""
    settings = Settings(rerank=False)
    searcher = Searcher(Index.open(index_dir), load_embedder(settings), settings)
    stage = SecondStage(searcher.index, ranker=None, depth=Settings().rerank_depth)  # type: ignore[arg-type]
    out = []
    for q in queries:
        fused, scope = searcher.first_stage([q.query], k=10)
        assert scope.query_vectors is not None
        terms = query_terms(q.query)
        candidates, stats = stage.candidates(terms, fused[0], scope.query_vectors[0])
        rows = feature_rows(terms, candidates, stats)
        if answers and q.qid in answers:
            labels = [int(c.episode_id == q.episode and _flat(answers[q.qid]) in _flat(c.text)) for c in candidates]
        else:
            labels = [int(is_relevant(q, Judged(c.id, c.episode_id, c.kind, c.start_s, _end(searcher, c.id))))
                      for c in candidates]
        out.append((q, np.asarray(rows, dtype=np.float64), np.asarray(labels)))
    return out


_ENDS: dict[int, float | None] = {}


def _flat(text: str) -> str:
    return " ".join(text.split()).lower()


def _answers(path: Path) -> dict[str, str]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return {str(r["qid"]): r["answer_start"] for r in rows if r.get("answer_start")}


def _end(searcher: Searcher, pid: int) -> float | None:
    if pid not in _ENDS:
        _ENDS[pid] = searcher.index.passages([pid])[pid].end_s
    return _ENDS[pid]


def train(data: list[tuple[Query, np.ndarray, np.ndarray]], rounds: int) -> lightgbm.Booster:
    x = np.vstack([rows for _, rows, _ in data])
    y = np.concatenate([labels for _, _, labels in data])
    return lightgbm.train(PARAMS, lightgbm.Dataset(x, y, group=[len(labels) for _, _, labels in data]),
                          num_boost_round=rounds)


def report(name: str, data: list[tuple[Query, np.ndarray, np.ndarray]], booster: lightgbm.Booster | None) -> None:
    """hit@1/10 and MRR@10 of the first stage's order, or of the ranker's."""
    hit1 = hit10 = mrr = 0.0
    for _, rows, labels in data:
        order = np.arange(len(labels)) if booster is None else np.argsort(-booster.predict(rows), kind="stable")
        ranks = [r for r, i in enumerate(order[:10], start=1) if labels[i]]
        hit1 += bool(ranks and ranks[0] == 1)
        hit10 += bool(ranks)
        mrr += 1 / ranks[0] if ranks else 0.0
    n = len(data) or 1
    print(f"  {name:34s} n={len(data):3d}  hit@1 {hit1 / n:.3f}  hit@10 {hit10 / n:.3f}  MRR@10 {mrr / n:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--questions", type=Path, required=True)
    ap.add_argument("--train", default="LX-A", help="the split to train on (default %(default)s)")
    ap.add_argument("--weak", nargs=2, action="append", default=[], metavar=("INDEX", "QUESTIONS"),
                    help="weak labels to train on as well (bench/mine_questions.py over that index's corpus)")
    ap.add_argument("--weak-max", type=int, default=80, help="at most this many weak questions (default %(default)s)")
    ap.add_argument("--rounds", type=int, default=100,
                    help="boosting rounds (100: best of 30-300 in 5-fold CV on LX-A)")
    ap.add_argument("--out", type=Path, default=MODEL_DIR, help="where ranker.txt/.json go (default: the package)")
    args = ap.parse_args()
    started = time.perf_counter()
    data = examples(args.index, read_queries(args.questions))
    train_set = [d for d in data if d[0].split == args.train]
    held_out = [d for d in data if d[0].split != args.train]
    weak = [d for index, questions in args.weak
            for d in examples(Path(index), read_queries(Path(questions)), _answers(Path(questions)))]
    # mined targets are approximate: keep the questions whose answer the first stage found at all, at most as many
    # as the dev questions, so the weak labels add the cases they teach without outvoting the real questions
    weak = [d for d in weak if d[2].any()][:args.weak_max]
    print(f"features for {len(data) + len(weak)} questions in {time.perf_counter() - started:.0f}s "
          f"({len(train_set)} + {len(weak)} weak to train on, {len(held_out)} held out)")
    booster = train(train_set + weak, args.rounds)
    for name, part in ((f"train ({args.train})", train_set), ("weak labels", weak), ("held out", held_out)):
        report(f"{name}: first stage", part, None)
        report(f"{name}: reranked", part, booster)
    args.out.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(args.out / MODEL_FILE))
    meta = {"format_version": FORMAT_VERSION, "features": list(FEATURES), "lightgbm": lightgbm.__version__,
            "trained_on": f"{args.questions.name} split {args.train} ({len(train_set)} questions) over "
                          f"{args.index.name}" + "".join(f" + {Path(q).name} over {Path(i).name}" for i, q in args.weak)
                          + f" ({len(weak)} weak labels)", "rounds": args.rounds, "params": PARAMS}
    (args.out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    gains = sorted(zip(booster.feature_importance("gain"), FEATURES, strict=True), reverse=True)
    print("most gain:", ", ".join(f"{n} {g:.0f}" for g, n in gains[:10]))
    print(f"wrote {args.out / MODEL_FILE} and {META_FILE}")


if __name__ == "__main__":
    main()
