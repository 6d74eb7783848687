"""The command line as a user runs it: real processes, the real model, exit codes and output."""

from __future__ import annotations

import json
import shutil

from cli_support import cli
from conftest import DATA, REPO


def test_demo_search_finds_the_confidential_computing_chapter(demo_index):
    proc = cli("search", str(demo_index), "secure enclaves confidential computing", "--k", "3", "--json",
               check=True)
    hits = json.loads(proc.stdout)["hits"]
    chapter = [h for h in hits if h["kind"] == "chapter"
               and h["chapter"]["title"] == "Confidential Computing and Secure Enclaves"]
    assert chapter, [h["text"][:60] for h in hits]
    hit = chapter[0]
    assert hit["start_s"] == 640 and hit["timestamp"] == "10:40"
    assert hit["link"] == ("https://pscrb.fm/rss/p/traffic.megaphone.fm/MLN2189764781.mp3?updated=1762292711#t=640")
    assert hit["episode"]["title"].startswith("The Decentralized Future of Private AI")
    assert set(hit) >= {"text", "score", "explain", "episode", "chapter", "start_s", "end_s", "timestamp", "link",
                        "snippet"}
    # and the people-facing output shows the same moment
    human = cli("search", str(demo_index), "secure enclaves confidential computing", "--k", "3", check=True)
    assert "Confidential Computing and Secure Enclaves @ 10:40" in human.stdout
    assert "«Secure» «Enclaves»" in human.stdout


def test_queries_file_gives_one_json_line_per_query(demo_index, tmp_path):
    queries = tmp_path / "q.txt"
    queries.write_text("vector database on disk\n\nRust deep learning framework\n")
    proc = cli("search", str(demo_index), "--queries", str(queries), "--k", "2", "--mode", "keyword", check=True)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["vector database on disk", "Rust deep learning framework"]
    assert all(len(line["hits"]) == 2 for line in lines)


def test_info_and_filters(demo_index):
    info = json.loads(cli("info", str(demo_index), "--json", check=True).stdout)
    assert info["counts"]["episodes"] == 21 and info["model"]["dimension"] == 384
    proc = cli("search", str(demo_index), "data", "--podcast", "Practical AI", "--kind", "transcript",
               "--after", "2024-06-01", "--k", "5", "--mode", "keyword", "--json", check=True)
    hits = json.loads(proc.stdout)["hits"]
    assert len(hits) == 5
    assert all(h["episode"]["podcast"] == "Practical AI" and h["kind"] == "transcript"
               and h["episode"]["published"] >= "2024-06-01" for h in hits)


def test_inspect_json_uses_the_documented_fields():
    proc = cli("inspect", str(DATA / "000_63d314c80ff6c941.txt"), "--json", check=True)
    out = json.loads(proc.stdout)
    (episode,) = out["episodes"]
    assert list(episode) == ["id", "podcast", "title", "published", "duration_s", "url", "audio_url", "summary",
                             "topics", "highlights", "chapters"]
    assert [c["start_s"] for c in episode["chapters"]] == [60, 360, 640, 1230, 1535, 2115, 3530]
    assert set(out["passages"][0]) == {"episode_id", "kind", "text", "start_s", "end_s", "chapter_index",
                                       "chapter_title", "speakers", "time_estimated"}
    outline = cli("inspect", str(DATA / "000_63d314c80ff6c941.txt"), check=True).stdout
    assert "10:40] Confidential Computing and Secure Enclaves" in outline


def test_errors_are_one_line_with_exit_codes(tmp_path):
    missing = cli("search", str(tmp_path / "nope"), "x", "--mode", "keyword")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "not a podquery index" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    usage = cli("search")
    assert usage.returncode == 1 and "Traceback" not in usage.stderr
    # a corrupt file is skipped and named, the rest is built, exit 2
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "000_63d314c80ff6c941.txt", corpus)
    (corpus / "broken.json").write_text('{"title": "x", "chapters": [{"start": "1:7x", "title": "bad"}]}')
    proc = cli("build", str(corpus), "--out", str(tmp_path / "idx"), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert "broken.json" in proc.stderr and "chapters[0].start" in proc.stderr and "Traceback" not in proc.stderr
    assert json.loads(cli("info", str(tmp_path / "idx"), "--json").stdout)["counts"]["episodes"] == 1


def test_eval_prints_the_metrics(demo_index):
    proc = cli("eval", str(demo_index), str(REPO / "bench" / "devset" / "practicalai.jsonl"), "--mode", "keyword",
               "--json", check=True)
    overall = json.loads(proc.stdout)["overall"]
    # the demo holds 20 of the 299 dev-set episodes: only their queries are judged
    assert 20 <= overall["n"] < 550
    for metric in ("hit_at_1", "hit_at_10", "mrr_at_10", "ndcg_at_10"):
        assert 0.0 <= overall[metric] <= 1.0
    assert overall["hit_at_10"] >= overall["hit_at_1"] > 0.5
