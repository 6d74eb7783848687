"""The command line's arguments: every command, its options and its help text, and the exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from indexer import __version__
from indexer.datamodel import PASSAGE_KINDS
from indexer.search.query import DEFAULT_MODE, MODES

EXIT_OK, EXIT_ERROR, EXIT_SKIPPED = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors; 2 means "skipped files" here
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """Every command and option of `python -m indexer`, in the order `--help` lists them.

    One piece: a declarative table read top to bottom like the help it prints; split, it would only scatter it.
    """
    p = _Parser(prog="python -m indexer", description="podquery: index podcast episodes and search them.")
    p.add_argument("--version", action="version", version=f"podquery {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    b = sub.add_parser("build", help="build an index from records, transcripts and feeds")
    b.add_argument("sources", nargs="+", type=Path, help="files or directories (see README: corpus layout)")
    b.add_argument("--out", required=True, type=Path, help="index directory (replaced atomically)")
    b.add_argument("--quiet", action="store_true", help="no progress bars")
    b.add_argument("--media", type=Path, help="folder holding feeds' transcript and chapters files (README: feeds)")
    b.add_argument("--fetch", action="store_true", help="download feeds' transcripts and chapters over http(s)")

    i = sub.add_parser("inspect", help="parse and chunk sources without embedding")
    i.add_argument("sources", nargs="+", type=Path)
    i.add_argument("--media", type=Path, help="folder holding feeds' transcript and chapters files")
    i.add_argument("--json", action="store_true", help='print {"episodes": [...], "passages": [...]}')

    s = sub.add_parser("search", help="search an index")
    s.add_argument("index", type=Path)
    s.add_argument("query", nargs="?", help="the query (or use --queries FILE)")
    s.add_argument("--queries", type=Path, help="one query per line; prints one JSON object per line")
    s.add_argument("--k", type=int, default=10)
    s.add_argument("--offset", type=int, default=0)
    s.add_argument("--mode", default=DEFAULT_MODE, choices=MODES)
    s.add_argument("--podcast")
    s.add_argument("--episode")
    s.add_argument("--speaker")
    s.add_argument("--kind", choices=PASSAGE_KINDS)
    s.add_argument("--after", help="published on or after (YYYY-MM-DD)")
    s.add_argument("--before", help="published on or before (YYYY-MM-DD)")
    s.add_argument("--group-by-episode", action="store_true", help="best passage per episode")
    s.add_argument("--json", action="store_true")

    a = sub.add_parser("add", help="add or replace episodes in an index (unchanged passages are not re-embedded)")
    a.add_argument("index", type=Path)
    a.add_argument("sources", nargs="+", type=Path)
    a.add_argument("--quiet", action="store_true", help="no progress bars")
    a.add_argument("--media", type=Path, help="folder holding feeds' transcript and chapters files (README: feeds)")
    a.add_argument("--fetch", action="store_true", help="download feeds' transcripts and chapters over http(s)")

    r = sub.add_parser("remove", help="remove episodes from an index by id")
    r.add_argument("index", type=Path)
    r.add_argument("episodes", nargs="+", help="episode ids (see: search --json, or GET /episodes)")

    c = sub.add_parser("compact", help="drop vectors of removed episodes still held by an HNSW index")
    c.add_argument("index", type=Path)

    q = sub.add_parser("ask", help="answer a question with verbatim, timestamped citations")
    q.add_argument("index", type=Path)
    q.add_argument("question")
    q.add_argument("--k", type=int, default=6, help="passages to read")
    q.add_argument("--podcast")
    q.add_argument("--episode")
    q.add_argument("--llm", metavar="URL", help="an OpenAI-compatible chat endpoint (e.g. http://127.0.0.1:8080/v1) "
                                                "for a generative answer; default: $PODQUERY_LLM_URL, else extractive")
    q.add_argument("--json", action="store_true")

    e = sub.add_parser("eval", help="measure hit@k, MRR@10 and nDCG@10 on a queries file (bench/README.md)")
    e.add_argument("index", type=Path)
    e.add_argument("queries", type=Path, help='JSON Lines: {"qid", "query", "episode", "start_s", "end_s", "group"?}')
    e.add_argument("--mode", default=DEFAULT_MODE, choices=MODES)
    e.add_argument("--k", type=int, default=10)
    e.add_argument("--json", action="store_true")

    f = sub.add_parser("info", help="what an index holds")
    f.add_argument("index", type=Path)
    f.add_argument("--json", action="store_true")
    return p
