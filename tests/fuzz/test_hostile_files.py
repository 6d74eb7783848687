"""Hostile files: nesting thousands deep, enormous lines, files over the size cap, bad UTF-8 in content and names.

Each ends as data or as the project's InputError naming the file, in time linear in its size (the fuzz properties
in test_fuzz_parsers.py keep inputs small; these are the large ones).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from test_fuzz_parsers import attempt

from indexer.datamodel import EpisodeSource
from indexer.errors import InputError
from indexer.ingest import corpus
from indexer.ingest import files as corpus_files
from indexer.ingest.formats.chapters import parse_chapter_list, parse_chapters_json
from indexer.ingest.formats.record_json import parse_records_text
from indexer.ingest.formats.record_text import read_record_text
from indexer.ingest.formats.rss import parse_feed
from indexer.ingest.registry import (
    parse_html_transcript,
    parse_json_transcript,
    parse_markdown,
    parse_plain_text,
    parse_srt,
    parse_vtt,
)


@pytest.mark.parametrize("depth", [100, 5_000, 200_000])
def test_deep_nesting_is_refused_or_read(depth: int) -> None:
    arrays, objects = "[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth
    for text in (arrays, objects):
        attempt(parse_json_transcript, text)
        attempt(parse_chapters_json, text)
        attempt(parse_records_text, text, "deep.json")
        attempt(parse_records_text, text, "deep.jsonl")
    xml = f"<rss><channel><item><guid>g</guid><description>{'<b>' * depth}x{'</b>' * depth}</description>" \
          "</item></channel></rss>"
    result = attempt(parse_feed, xml.encode(), "deep.xml", source="deep.xml")
    assert not (isinstance(result, InputError) and result.problem.startswith("could not read the feed")), result
    attempt(parse_html_transcript, "<p>" * depth + "x")
    attempt(parse_markdown, "> " * depth + "x")


LONG_PARSERS = {"vtt": lambda t: parse_vtt("WEBVTT\n\n00:00.000 --> 00:01.000\n" + t),
                "srt": lambda t: parse_srt("1\n00:00:00,000 --> 00:00:01,000\n" + t),
                "markdown": parse_markdown, "html": lambda t: parse_html_transcript(f"<p>{t}</p>"),
                "text": parse_plain_text, "chapters": parse_chapter_list,
                "record": lambda t: read_record_text(f"Episode\n{t}\nSummary\n{t}")}


@pytest.mark.parametrize("unit", ["<v ", "![", "[a](", "**a", "*a ", "__a", "Ann: ", "&#", "\\[0", "<i>", "0:00 "])
@pytest.mark.parametrize("name", sorted(LONG_PARSERS))
def test_an_enormous_line_is_read_in_linear_time(name: str, unit: str) -> None:
    # 256 KB of one repeated unit: a regex that backtracks over the rest of the line once per unit takes minutes
    started = time.perf_counter()
    attempt(LONG_PARSERS[name], unit * (2**18 // len(unit)))
    assert time.perf_counter() - started < 10


def test_a_file_name_that_is_not_utf8_is_a_named_error(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/\xff\xfeep.vtt"
    with open(name, "wb") as f:
        f.write(b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n")
    (error,) = list(corpus.load_sources([tmp_path]))
    assert isinstance(error, InputError) and "not valid UTF-8" in error.problem
    assert error.source == f"{tmp_path}/\\xff\\xfeep.vtt"  # printable, unlike the name itself


def _load(path: Path) -> list[EpisodeSource | InputError]:
    return list(corpus.load_sources([path.parent]))


def test_a_file_over_the_size_cap_is_a_named_error(tmp_path: Path) -> None:
    big = tmp_path / "big.vtt"
    with big.open("wb") as f:
        f.truncate(corpus_files.MAX_FILE_BYTES + 1)  # sparse: the cap is checked before reading
    (error,) = _load(big)
    assert isinstance(error, InputError) and error.source == str(big) and "byte limit" in error.problem


@pytest.mark.parametrize("name, head", [("long.vtt", ""), ("long.srt", "1\n"), ("long.json", ""),
                                        ("long.jsonl", ""), ("long.txt", "Episode\n"), ("long.md", "")])
def test_a_single_10_mb_line_is_read_or_a_named_error(tmp_path: Path, name: str, head: str) -> None:
    path = tmp_path / name
    path.write_text(head + "<v x" * (10 * 2**20 // 4), encoding="utf-8")
    started = time.perf_counter()
    items = _load(path)
    assert time.perf_counter() - started < 60 and items
    for item in items:
        assert isinstance(item, EpisodeSource) or (isinstance(item, InputError) and item.source == str(path)), item
    if name in ("long.vtt", "long.srt", "long.json", "long.jsonl"):  # no structure at all: refused, naming the file
        assert all(isinstance(item, InputError) for item in items)


@pytest.mark.parametrize("data", [b"WEBVTT\n\n00:00.000 --> 00:01.000\ncaf\xe9\n", b"\xff\xfe\x00W",
                                  b"WEBVTT\n\n00:00.000 --> 00:01.000\n\xed\xa0\x80\n"])
def test_invalid_utf8_is_a_named_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.vtt"
    path.write_bytes(data)
    (error,) = _load(path)
    assert isinstance(error, InputError) and error.source == str(path) and "UTF-8" in error.problem
    assert error.where and error.where.startswith("byte offset")
