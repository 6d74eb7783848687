"""Evaluation: the judging rule, metric values against hand-computed ones, the queries file, a run over an index."""

from __future__ import annotations

import json
import math

import pytest
from support import ENCLAVE, GARDEN, FakeEmbedder, make_source

from indexer.errors import InputError
from indexer.eval.evaluate import Candidate, Query, evaluate, is_relevant, read_queries, score
from indexer.eval.report import format_table
from indexer.index.reader import Index
from indexer.index.updates import build_sources
from indexer.search.searcher import Searcher
from indexer.settings import ChunkSettings, Settings

# tiny windows so each line is a passage of its own
SETTINGS = Settings(chunk=ChunkSettings(max_tokens=20, overlap=0.0))

def _cand(pid: int, episode: str = "e", kind: str = "transcript", start: float | None = 0.0,
          end: float | None = 10.0, seek: float | None = None) -> Candidate:
    return Candidate(pid, episode, kind, start, end, seek)


def test_relevance_rule_overlap_edges_and_kinds():
    moment = Query("q", "x", "e", 60.0, 120.0)
    assert is_relevant(moment, _cand(1, start=50, end=61))
    assert is_relevant(moment, _cand(1, start=119, end=200))
    assert not is_relevant(moment, _cand(1, start=30, end=60))  # ends where the target starts
    assert not is_relevant(moment, _cand(1, start=120, end=130))  # starts where it ends (half-open)
    assert is_relevant(moment, _cand(1, start=60, end=None))  # a point inside
    assert not is_relevant(moment, _cand(1, kind="summary", start=None, end=None))
    assert not is_relevant(moment, _cand(1, episode="other", start=70, end=80))
    episode = Query("q", "x", "e", exclude_kinds=("summary",))
    assert is_relevant(episode, _cand(1, start=None, end=None, kind="chapter"))
    assert not is_relevant(episode, _cand(1, start=None, end=None, kind="summary"))


def test_score_matches_hand_computed_metrics_and_keeps_our_order():
    pool = {"e": [_cand(1, start=0, end=30), _cand(2, start=30, end=60), _cand(3, start=60, end=90)],
            "f": [_cand(9, episode="f")]}
    queries = [Query("a", "x", "e", 35.0, 50.0, "g1"),   # only passage 2 is relevant
               Query("b", "x", "f", group="g2"),          # episode-level: passage 9
               Query("c", "x", "e", 0.0, 90.0, "g1")]     # nothing returned: scores 0
    ranked = {
        # ids in increasing order on purpose: trec_eval would put 9 before 2 on a score tie
        "a": [_cand(1, start=0, end=30), _cand(2, start=30, end=60, seek=40.0), _cand(9, episode="f")],
        "b": [_cand(9, episode="f")],
    }
    result = score(queries, ranked, pool, k=10, label="t")
    by = {o.qid: o for o in result.outcomes}
    assert by["a"].relevant_ranks == [2]
    assert by["a"].values["hit@1"] == 0 and by["a"].values["hit@5"] == 1
    assert by["a"].values["mrr@10"] == pytest.approx(0.5)
    assert by["a"].values["ndcg@10"] == pytest.approx(1 / math.log2(3))
    assert by["a"].seek_error_s == pytest.approx(5.0) and by["a"].start_error_s == pytest.approx(5.0)
    assert by["b"].values == {"hit@1": 1, "hit@5": 1, "hit@10": 1, "mrr@10": 1, "ndcg@10": 1}
    assert all(v == 0 for v in by["c"].values.values())
    assert result.overall.n == 3 and result.overall.hit_at_5 == pytest.approx(2 / 3)
    assert result.groups["g1"].mrr_at_10 == pytest.approx(0.25)
    assert result.groups["g1"].seek_n == 1 and result.groups["g2"].seek_median_s is None
    # nDCG's ideal counts every relevant passage in the pool, not only those returned
    wide = score([Query("w", "x", "e", 0.0, 90.0)], {"w": [_cand(1, start=0, end=30)]}, pool)
    ideal = sum(1 / math.log2(r + 1) for r in (1, 2, 3))
    assert wide.outcomes[0].values["ndcg@10"] == pytest.approx(1 / ideal)


def test_score_leaves_out_targets_without_passages_and_drops_excluded_kinds():
    pool = {"e": [_cand(1, kind="summary", start=None, end=None), _cand(2)]}
    queries = [Query("a", "x", "e", exclude_kinds=("summary",)), Query("gone", "x", "missing")]
    ranked = {"a": [_cand(1, kind="summary", start=None, end=None), _cand(2)]}
    result = score(queries, ranked, pool)
    assert result.unjudged == ["gone"]
    assert result.outcomes[0].ranked == [2] and result.outcomes[0].values["hit@1"] == 1


def test_read_queries_valid_and_each_error_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"qid": 1, "query": "enclaves", "episode": "e", "start_s": 30, "end_s": 90, "group": "m"}\n\n'
                    '{"qid": "2", "query": "tomatoes", "episode": "g", "start_s": null, "end_s": null}\n')
    queries = read_queries(path)
    assert queries[0] == Query("1", "enclaves", "e", 30.0, 90.0, "m")
    assert queries[1].group == "all" and not queries[1].moment
    for bad, needle in [("not json", "line 1: not JSON"), ('{"qid": "1", "episode": "e"}', "field query"),
                        ('{"qid": "1", "query": "q", "episode": "e", "start_s": 5}', "start_s/end_s"),
                        ('{"qid": "1", "query": "q", "episode": "e", "start_s": "5", "end_s": 9}', "numbers"),
                        ('{"qid": "1", "query": "q", "episode": "e"}\n{"qid": "1", "query": "q", "episode": "e"}',
                         "line 2: field qid")]:
        path.write_text(bad + "\n")
        with pytest.raises(InputError, match=needle):
            read_queries(path)


@pytest.fixture(scope="module")
def tiny_index(tmp_path_factory):
    path = tmp_path_factory.mktemp("eval") / "idx"
    sources = [make_source("enclave", ENCLAVE, podcast="AI Talk", title="Private AI", duration_s=150,
                           summary="Secure enclaves and confidential computing, explained."),
               make_source("garden", GARDEN, podcast="Garden Hour", title="Roses", duration_s=80)]
    build_sources(sources, path, SETTINGS, FakeEmbedder())
    return path


def _queries(tmp_path):
    rows = [{"qid": "m1", "query": "secure enclaves cloud code", "episode": "enclave", "start_s": 30, "end_s": 70,
             "group": "moment"},
            {"qid": "m2", "query": "aphids roses soapy water", "episode": "garden", "start_s": 40, "end_s": 80,
             "group": "moment"},
            {"qid": "e1", "query": "confidential computing enclaves", "episode": "enclave", "start_s": None,
             "end_s": None, "group": "episode", "exclude_kinds": ["summary"]}]
    path = tmp_path / "q.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_evaluate_over_a_tiny_index(tiny_index, tmp_path, mode):
    searcher = Searcher(Index.open(tiny_index), FakeEmbedder(), SETTINGS)
    result = evaluate(searcher, read_queries(_queries(tmp_path)), mode=mode)
    assert result.label == mode and result.overall.n == 3 and not result.unjudged
    assert result.overall.hit_at_1 == 1.0 and result.overall.mrr_at_10 == 1.0
    assert result.groups["moment"].seek_n == 2 and result.groups["moment"].seek_median_s == 0.0
    e1 = next(o for o in result.outcomes if o.qid == "e1")
    kinds = dict(searcher.index.conn.execute("SELECT id, kind FROM passages").fetchall())
    assert all(kinds[pid] != "summary" for pid in e1.ranked)
    table = format_table(result)
    assert table.splitlines()[0].startswith("| run | group |") and f"| {mode} | moment | 2 |" in table
    assert json.loads(json.dumps(result.to_json()))["overall"]["n"] == 3


def test_excluding_a_kind_for_the_whole_run(tiny_index, tmp_path):
    searcher = Searcher(Index.open(tiny_index), None, SETTINGS)
    queries = [Query("s", "confidential computing explained", "enclave")]
    with_summary = evaluate(searcher, queries, mode="keyword")
    without = evaluate(searcher, queries, mode="keyword", exclude_kinds=["summary"])
    kinds = dict(searcher.index.conn.execute("SELECT id, kind FROM passages").fetchall())
    assert kinds[with_summary.outcomes[0].ranked[0]] == "summary"
    assert "summary" not in {kinds[p] for p in without.outcomes[0].ranked}


def test_natural_questions_read_with_style_groups_and_halves(tmp_path):
    """The ../shared/devset format: `question` is the query, `style` the group, the qid prefix the split; the
    results come per style, per half and per half and style."""
    rows = [
        {"qid": "LX-A001", "style": "paraphrase", "question": "why did they drop it?", "episode": "e1",
         "start_s": 10.0, "end_s": 20.0, "answer": "cost", "quote": "it cost too much"},
        {"qid": "LX-B001", "style": "keyword", "question": "free trial", "episode": "e1", "start_s": 30.0,
         "end_s": 40.0},
        {"qid": "LX-B002", "style": "paraphrase", "question": "what changed?", "episode": "e1", "start_s": 50.0,
         "end_s": 60.0},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    queries = read_queries(path)
    assert [(q.query, q.group, q.split) for q in queries] == [
        ("why did they drop it?", "paraphrase", "LX-A"), ("free trial", "keyword", "LX-B"),
        ("what changed?", "paraphrase", "LX-B")]
    pool = {"e1": [Candidate(1, "e1", "transcript", 0.0, 25.0), Candidate(2, "e1", "transcript", 25.0, 45.0),
                   Candidate(3, "e1", "transcript", 45.0, 70.0)]}
    ranked = {"LX-A001": [pool["e1"][0]], "LX-B001": [pool["e1"][0], pool["e1"][1]], "LX-B002": []}
    result = score(queries, ranked, pool)
    assert set(result.groups) == {"keyword", "paraphrase"}
    assert result.splits["LX-A"].hit_at_1 == 1.0 and result.splits["LX-A"].n == 1
    assert result.splits["LX-B"].n == 2 and result.splits["LX-B"].hit_at_5 == 0.5
    assert result.splits["LX-B keyword"].mrr_at_10 == 0.5 and result.splits["LX-B paraphrase"].hit_at_10 == 0.0
    table = format_table(result)
    assert "| LX-A |" in table and "| LX-B paraphrase |" in table
