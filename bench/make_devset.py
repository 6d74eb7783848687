"""Make the public development set bench/devset/practicalai.jsonl from the Practical AI corpus (CC BY-SA 4.0).

No query is written by hand; every query is text the publisher wrote, cut by fixed rules (seeded, deterministic):

- description (episode level): a sentence of the episode's feed description (before its Sponsors/Featuring/
  Show Notes sections), 8-40 words, no link, no sponsor or subscription talk.
- shownotes (episode level): a link title from the description's "Show Notes:"/"Links:" section, 2-12 words,
  social-profile links ("LinkedIn", "X", "Website", ...) dropped.
  Both episode-level groups carry exclude_kinds ["summary"]: the summary passage holds the description itself.
- verbatim (moment level): 8-20 words of a transcript paragraph that opens with a `\\[mm:ss\\]` mark, starting
  3 words in; target [mark, mark + 60 s). A verbatim slice favours keyword search.
- later (moment level, harder for seeking): the 2nd or 3rd sentence of such a paragraph (8-30 words, starting
  within its first 100 words, about 40 s of speech), so it sits up to ~40 s after the mark; same target window.

    python bench/make_devset.py [--src ../shared/corpus/changelog] [--out bench/devset/practicalai.jsonl]
    python bench/make_devset.py --check bench/work/pa-index   # every target has a passage in a built index
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = ROOT.parent / "shared" / "corpus" / "changelog"
DEFAULT_OUT = ROOT / "bench" / "devset" / "practicalai.jsonl"
SEED = 7
SIZES = {"description": 150, "shownotes": 100, "verbatim": 150, "later": 150}
WINDOW_S = 60.0

_HEADER = re.compile(r"^[A-Z][\w &+]{0,40}:\s*$")
_BOILERPLATE = re.compile(r"https?:|www\.|\.com\b|sponsor|subscribe|changelog|register|webinar|sign up|"
                          r"newsletter|featuring|use (the )?code", re.I)
_SOCIAL = {"website", "linkedin", "x", "twitter", "github", "bluesky", "instagram", "youtube", "mastodon",
           "facebook", "threads", "blog", "homepage"}
_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[A-Z\"“])")
# a paragraph opening `**Name:** \[mm:ss\] text` or `\[hh:mm:ss.ff\] text`
_MARKED = re.compile(r"^(?:\*\*[^*\n]{1,80}?:\*\*\s*)?"
                     r"\\\[(?P<t>\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\\\]\s*(?P<body>.+)$")
_ANNOTATION = re.compile(r"\\\[[^\]]*?\\\]")  # \[laughs\], \[unintelligible 00:16:38\]


def seconds(mark: str) -> float:
    """`mm:ss`, `hh:mm:ss` or `hh:mm:ss.ff` as seconds."""
    total = 0.0
    for part in mark.split(":"):
        total = total * 60 + float(part)
    return total


def clean(text: str) -> str:
    """Markdown text as spoken words: no annotations, emphasis or backslash escapes."""
    text = _ANNOTATION.sub(" ", text)
    text = re.sub(r"\\(.)", r"\1", text).replace("**", "").replace("*", "").replace("_", " ")
    return re.sub(r"\s+", " ", text).strip()


def sections(description: str) -> dict[str, list[str]]:
    """The description's lines per section; the opening prose is section ""."""
    out: dict[str, list[str]] = {"": []}
    name = ""
    for line in description.splitlines():
        if _HEADER.match(line):
            name = line.strip().rstrip(":").lower()
            out.setdefault(name, [])
        elif line.strip():
            out[name].append(line.strip())
    return out


def description_sentences(description: str) -> list[str]:
    prose = " ".join(sections(description)[""])
    return [s.strip() for s in _SENTENCE.split(prose)
            if 8 <= len(s.split()) <= 40 and not _BOILERPLATE.search(s)]


def shownote_titles(description: str) -> list[str]:
    parts = sections(description)
    out = []
    for line in parts.get("show notes", []) + parts.get("links", []):
        kept = [p.strip() for p in line.split("|") if p.strip().lower() not in _SOCIAL]
        title = " ".join(kept).strip(" -–:")
        if 2 <= len(title.split()) <= 12 and not _BOILERPLATE.search(title):
            out.append(title)
    return out


def marked_paragraphs(markdown: str) -> list[tuple[float, str]]:
    """(mark seconds, cleaned text) of each paragraph that opens with a time mark."""
    out = []
    for para in re.split(r"\n\s*\n", markdown):
        m = _MARKED.match(" ".join(para.split("\n")).strip())
        if m:
            out.append((seconds(m["t"]), clean(m["body"])))
    return out


def moment_queries(paragraphs: list[tuple[float, str]], rng: random.Random) -> tuple[dict | None, dict | None]:
    """One verbatim slice and one later sentence, from two different marked paragraphs of an episode."""
    order = list(range(len(paragraphs)))
    rng.shuffle(order)
    verbatim = later = None
    for n in order:
        mark, text = paragraphs[n]
        if mark <= 0:
            continue
        words = text.split()
        if verbatim is None and len(words) >= 3 + 20:
            size = rng.randint(8, 20)
            verbatim = {"query": " ".join(words[3:3 + size]), "start_s": mark, "end_s": mark + WINDOW_S}
            continue
        sentences = _SENTENCE.split(text)
        if later is None and len(sentences) >= 3:
            pick = rng.choice([1, 2])
            before = sum(len(s.split()) for s in sentences[:pick])
            chosen = sentences[pick].strip()
            if before <= 100 and 8 <= len(chosen.split()) <= 30:
                later = {"query": chosen, "start_s": mark, "end_s": mark + WINDOW_S}
    return verbatim, later


def make(src: Path) -> list[dict]:
    """Every query of the dev set, in a stable order (group, then episode number)."""
    rng = random.Random(SEED)
    rows = [json.loads(line) for line in (src / "practicalai_episodes.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    joined = sorted((r for r in rows if r.get("transcript_file")), key=lambda r: r["episode"])
    pools: dict[str, list[dict]] = {g: [] for g in SIZES}
    for row in joined:
        base = {"episode": row["guid"], "number": row["episode"]}
        sents = description_sentences(row.get("description") or "")
        if sents:
            pools["description"].append({**base, "query": rng.choice(sents), "start_s": None, "end_s": None,
                                         "exclude_kinds": ["summary"]})
        titles = shownote_titles(row.get("description") or "")
        if titles:
            pools["shownotes"].append({**base, "query": rng.choice(titles), "start_s": None, "end_s": None,
                                       "exclude_kinds": ["summary"]})
        markdown = (src / "practicalai" / Path(row["transcript_file"]).name).read_text("utf-8")
        verbatim, later = moment_queries(marked_paragraphs(markdown), rng)
        for group, q in (("verbatim", verbatim), ("later", later)):
            if q:
                pools[group].append({**base, **q})
    out = []
    for group, size in SIZES.items():
        chosen = sorted(rng.sample(pools[group], min(size, len(pools[group]))), key=lambda q: q["number"])
        for q in chosen:
            number = q.pop("number")
            out.append({"qid": f"{group}-{number}", "group": group, **q})
    return out


def check(index_dir: Path, queries: list[dict]) -> int:
    """How many targets have no passage in a built index (0 is the expectation)."""
    sys.path.insert(0, str(ROOT))
    from indexer.eval.evaluate import Candidate, Query, is_relevant
    from indexer.index.reader import Index

    conn = Index.open(index_dir).conn
    missing = 0
    for q in queries:
        query = Query(q["qid"], q["query"], q["episode"], q["start_s"], q["end_s"], q["group"],
                      tuple(q.get("exclude_kinds", ())))
        rows = conn.execute("SELECT id, kind, start_s, end_s FROM passages WHERE episode_id = ?", (q["episode"],))
        if not any(is_relevant(query, Candidate(r[0], q["episode"], r[1], r[2], r[3])) for r in rows):
            print(f"no passage for target of {q['qid']}", file=sys.stderr)
            missing += 1
    return missing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", type=Path, help="a built index: report targets without a passage instead of writing")
    args = ap.parse_args(argv)
    queries = make(args.src)
    if args.check:
        missing = check(args.check, queries)
        print(f"{len(queries)} queries, {missing} without a passage for their target in {args.check}")
        return 1 if missing else 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries), "utf-8")
    counts = {g: sum(1 for q in queries if q["group"] == g) for g in SIZES}
    print(f"wrote {len(queries)} queries to {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
