"""Mine weak training labels for the ranker: a host's question and the guest's answer after it.

    python bench/mine_questions.py CORPUS_DIR --out questions.jsonl [--per-episode 2]

In transcripts with speaker turns (Changelog's Markdown), a host turn that ends in a question, after the first
5 minutes, followed by a long turn of someone else, is a question asked naturally and answered right after it: the
query is the question's last sentence, the target the answer turn's first 60 seconds. Intros and sponsor reads
that preview the same topic are then wrong candidates the ranker learns to put below the answer. Written in the
dev-set format (`qid`, `style`, `question`, `episode`, `start_s`, `end_s`, `split`), so `python -m indexer eval`
and `bench/train_ranker.py` read it. Deterministic: the questions of each episode are taken evenly spread.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.errors import InputError  # noqa: E402
from indexer.ingest.corpus import load_sources  # noqa: E402
from indexer.passages.sentences import split_sentences  # noqa: E402
from indexer.search.query import WORD, query_terms  # noqa: E402

MIN_START_S = 300.0  # past the intro: the intro is what these labels teach the ranker to pass over
ANSWER_S = 60.0
INTRO_S = 240.0  # the opening whose words a question must share: cold open, intro, first sponsor read
ANSWER_WORDS = 10  # the answer's first words, which mark the passage that holds it (times here are estimated)


def mine(corpus: Path, per_episode: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for item in load_sources([corpus]):
        if isinstance(item, InputError) or item.transcript is None:
            continue
        segs = item.transcript.segments
        host = segs[0].speaker if segs else None
        opening = {w.lower() for s in segs if s.start_s < INTRO_S for w in WORD.findall(s.text)}
        found = []
        for before, after in zip(segs, segs[1:], strict=False):
            if before.speaker != host or after.speaker in (None, host) or before.start_s < MIN_START_S:
                continue
            sentences = split_sentences(before.text)
            if not sentences or not sentences[-1].endswith("?") or len(after.text.split()) < 60:
                continue
            question = sentences[-1]
            shared = {t for t in query_terms(question) if len(t) > 3} & opening
            if 8 <= len(question.split()) <= 40 and shared:  # the opening previews it: a case worth learning
                found.append((question, after.start_s, " ".join(after.text.split()[:ANSWER_WORDS])))
        step = max(1, len(found) // per_episode) if found else 1
        for n, (question, start, answer) in enumerate(found[::step][:per_episode]):
            out.append({"qid": f"MQ-{len(out) + 1:05d}", "style": "host-question", "split": "mined",
                        "question": question, "episode": item.episode.id, "start_s": round(start, 3),
                        "end_s": round(start + ANSWER_S, 3), "answer_start": answer,
                        "source": f"{item.origin} question {n + 1}"})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--per-episode", type=int, default=2)
    args = ap.parse_args()
    rows = mine(args.corpus, args.per_episode)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    print(f"{len(rows)} questions from {len({r['episode'] for r in rows})} episodes -> {args.out}")


if __name__ == "__main__":
    main()
