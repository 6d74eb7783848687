"""What each CLI command does: call the library and print its results for people (or as JSON for programs)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.cli.parser import EXIT_OK, EXIT_SKIPPED
from indexer.errors import PodqueryError
from indexer.index import updates as builder
from indexer.index.reader import Index
from indexer.index.updates import BuildReport, read_sources
from indexer.passages.chunking import episode_passages
from indexer.passages.tokens import TokenCounter
from indexer.search.filters import Filters
from indexer.search.hits import Hit
from indexer.search.searcher import Searcher
from indexer.settings import Settings
from indexer.timecode import format_timestamp

if TYPE_CHECKING:
    from indexer.answer.citations import Citation
    from indexer.datamodel import EpisodeSource, Passage
    from indexer.index.embedding import Embedder

EPISODE_FIELDS = ("id", "podcast", "title", "published", "duration_s", "url", "audio_url", "summary", "topics",
                  "highlights", "chapters")
PASSAGE_FIELDS = ("episode_id", "kind", "text", "start_s", "end_s", "chapter_index", "chapter_title", "speakers",
                  "time_estimated")


def run(args: argparse.Namespace, settings: Settings) -> int:
    handler = {"build": cmd_build, "inspect": cmd_inspect, "search": cmd_search, "info": cmd_info,
               "add": cmd_add, "remove": cmd_remove, "compact": cmd_compact, "ask": cmd_ask,
               "eval": cmd_eval}[args.command]
    return handler(args, settings)


def load_embedder(settings: Settings, purpose: str = "build") -> Embedder:
    """The model, loaded only for commands that embed; `purpose` "query" gives ONNX one thread per search."""
    from indexer.index.embedding import load_embedder as load

    return load(settings, purpose)


def _report_problems(report: BuildReport) -> int:
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for err in report.skipped:
        print(f"skipped: {err}", file=sys.stderr)
    if report.skipped:
        print(f"{len(report.skipped)} file(s) skipped", file=sys.stderr)
        return EXIT_SKIPPED
    return EXIT_OK


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    _check_sources(args.sources)
    report = builder.build(args.sources, args.out, settings, load_embedder(settings), progress=not args.quiet,
                           media_dir=args.media, fetch=args.fetch)
    print(f"built {args.out}: {report.episodes} episodes, {report.passages} passages in {report.seconds:.1f}s")
    return _report_problems(report)


def _check_sources(paths: list[Path]) -> None:
    for path in paths:
        if not path.exists():
            raise PodqueryError(f"{path}: no such file or directory")


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    _check_sources(args.sources)
    # a clear error before loading the model if DIR is not an index (mapped: checks, no copy of the vectors)
    Index.open(args.index, mmap=True).close()
    report = builder.add(args.sources, args.index, settings, load_embedder(settings), progress=not args.quiet,
                         media_dir=args.media, fetch=args.fetch)
    print(f"added {report.episodes} episodes to {args.index}: {report.passages} passages, "
          f"{report.embedded} embedded (the rest unchanged), in {report.seconds:.1f}s")
    return _report_problems(report)


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    Index.open(args.index, mmap=True).close()
    report = builder.remove(args.episodes, args.index, settings)  # deleting rows needs no model
    print(f"removed {len(args.episodes)} episodes ({report.removed} passages) from {args.index}")
    return EXIT_OK


def cmd_compact(args: argparse.Namespace, settings: Settings) -> int:
    Index.open(args.index, mmap=True).close()
    report = builder.compact(args.index, settings)  # stored vectors are reused: no model
    print(f"compacted {args.index}: dropped {report.removed} stale vectors")
    return EXIT_OK


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from indexer.answer.generative import answerer_for

    searcher = Searcher(Index.open(args.index), load_embedder(settings, "query"), settings)
    answerer = answerer_for(searcher, args.llm or settings.llm_url, settings.llm_model, settings.llm_timeout)
    answer = answerer.ask(args.question, k=args.k, filters=Filters(podcast=args.podcast, episode=args.episode))
    for warning in answer.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        data = asdict(answer)
        data["passages"] = [hit_json(h) for h in answer.passages]
        print(json.dumps(data, ensure_ascii=False))
        return EXIT_OK
    print(answer.answer)
    for c in answer.citations:
        print(f"  [{c.n}] {_place(c)}")
        print(f"      \"{c.quote}\"")
        if c.link:
            print(f"      {c.link}")
    if not answer.found:
        print("Closest passages:")
        for hit in answer.passages[:3]:
            print(f"  - {hit.episode.title} @ {hit.timestamp}: {hit.snippet}")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from indexer.eval.evaluate import evaluate_file
    from indexer.eval.report import format_table

    embedder = None if args.mode == "keyword" else load_embedder(settings, "query")
    searcher = Searcher(Index.open(args.index), embedder, settings)
    result = evaluate_file(searcher, args.queries, mode=args.mode, k=args.k)
    print(json.dumps(result.to_json(), ensure_ascii=False) if args.json else format_table(result))
    return EXIT_OK


def cmd_inspect(args: argparse.Namespace, settings: Settings) -> int:
    report = BuildReport()
    sources = read_sources(args.sources, report, args.media)
    count = TokenCounter(settings.chunk.encoding)
    episodes: list[dict[str, object]] = []
    passages: list[dict[str, object]] = []
    for src in sources:
        ps = episode_passages(src.episode, src.transcript, settings.chunk, count)
        ep = asdict(src.episode)
        episodes.append({k: ep[k] for k in EPISODE_FIELDS})
        passages.extend({k: d[k] for k in PASSAGE_FIELDS} for d in map(asdict, ps))
        if not args.json:
            _print_outline(src, ps)
    if args.json:
        json.dump({"episodes": episodes, "passages": passages}, sys.stdout, ensure_ascii=False)
        print()
    return _report_problems(report)


def _print_outline(src: EpisodeSource, passages: list[Passage]) -> None:
    ep = src.episode
    print(f"{ep.id}: {ep.title or '(untitled)'}")
    print(f"  podcast: {ep.podcast or '-'}  published: {ep.published or '-'}  "
          f"duration: {format_timestamp(ep.duration_s) or '-'}  from: {src.origin}")
    for ch in ep.chapters:
        print(f"  [{format_timestamp(ch.start_s):>8}] {ch.title}")
    kinds: dict[str, int] = {}
    for p in passages:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    segs = len(src.transcript.segments) if src.transcript else 0
    print(f"  segments: {segs}  passages: " + ", ".join(f"{v} {k}" for k, v in kinds.items()))


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(podcast=args.podcast, episode=args.episode, speaker=args.speaker, kind=args.kind,
                   after=args.after, before=args.before)


def hit_json(hit: Hit) -> dict:
    data = asdict(hit)
    data.pop("segment_starts", None)
    return data


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    if (args.query is None) == (args.queries is None):
        raise PodqueryError("give either a query or --queries FILE")
    index = Index.open(args.index)
    embedder = None if args.mode == "keyword" else load_embedder(settings, "query")
    searcher = Searcher(index, embedder, settings)
    options: dict[str, Any] = {"k": args.k, "mode": args.mode, "filters": _filters(args), "offset": args.offset,
                               "group_by_episode": args.group_by_episode}
    if args.queries is not None:
        try:
            lines = [ln.strip() for ln in args.queries.read_text(encoding="utf-8").splitlines() if ln.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise PodqueryError(f"{args.queries}: cannot read queries ({exc})") from exc
        for result in searcher.search_batch(lines, **options):
            print(json.dumps({"query": result.query, "hits": [hit_json(h) for h in result.hits]},
                             ensure_ascii=False))
        return EXIT_OK
    result = searcher.search(args.query, **options)
    if args.json:
        print(json.dumps({"query": result.query, "mode": result.mode, "took_ms": result.took_ms,
                          "hits": [hit_json(h) for h in result.hits]}, ensure_ascii=False))
        return EXIT_OK
    if not result.hits:
        print("no results")
    for n, hit in enumerate(result.hits, start=args.offset + 1):
        print(f"{n}. {_place(hit)}  [{hit.kind}, {hit.score:.4f}]")
        print(f"   {hit.snippet}")
        if hit.link:
            print(f"   {hit.link}")
    print(f"({len(result.hits)} hits in {result.took_ms:.0f} ms)", file=sys.stderr)
    return EXIT_OK


def _place(said: Hit | Citation) -> str:
    """`Podcast - Episode > Chapter @ 1:02:03`: where a hit or a citation was said."""
    where = f" > {said.chapter.title}" if said.chapter else ""
    when = f" @ {said.timestamp}" if said.timestamp else ""
    return f"{said.episode.podcast} - {said.episode.title}{where}{when}"


def cmd_info(args: argparse.Namespace, settings: Settings) -> int:
    index = Index.open(args.index)
    info = {"path": str(Path(args.index).resolve()), **asdict(index.manifest), "counts": index.counts()}
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return EXIT_OK
    m = index.manifest
    c = info["counts"]
    print(f"index {info['path']}")
    print(f"  format {m.format_version}, built by podquery {m.package_version} on {m.created}"
          + (f", updated {m.updated}" if m.updated else ""))
    print(f"  model {m.model['name']} ({m.model['dimension']} dims, weights {m.model['fingerprint']}), "
          f"faiss {m.faiss_factory}")
    print(f"  chunking {m.chunking}")
    print(f"  {c['episodes']} episodes in {c['podcasts']} podcasts, {c['passages']} passages "
          + json.dumps(c["passages_by_kind"]))
    return EXIT_OK
