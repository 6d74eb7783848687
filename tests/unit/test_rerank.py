"""The second stage without a model: its features on tiny inputs, the packaged ranker's load checks, seeking."""

from __future__ import annotations

import json
import shutil

import pytest

from indexer.errors import IndexError_
from indexer.passages.timing import seek_second
from indexer.search.query import TermMatcher, term_weights
from indexer.search.rerank.features import FEATURES, Candidate, EpisodeStats, feature_rows, previews
from indexer.search.rerank.ranker import META_FILE, MODEL_DIR, MODEL_FILE, Ranker
from indexer.search.rerank.stage import _after_what_they_preview


def _candidate(pid: int, text: str, rank: int, *, start: float = 600.0, previous: str = "", after: str = "",
               context: frozenset[str] = frozenset(), episode: str = "e1") -> Candidate:
    return Candidate(id=pid, episode_id=episode, kind="transcript", text=text, start_s=start, duration_s=3600.0,
                     fused_score=1 / (10 + rank), fused_rank=rank, keyword_rank=rank, keyword_score=10.0 / rank,
                     dense_cosine=0.5, dense_rank=rank, previous_text=previous, next_text=after,
                     context_words=context)


def _row(rows: list[list[float]], n: int) -> dict[str, float]:
    return dict(zip(FEATURES, rows[n], strict=True))


def test_term_matcher_counts_words_and_prefixes_case_blind():
    matcher = TermMatcher(["enclaves", "ai"])
    assert matcher.counts("Secure ENCLAVE, enclaves; AI and aim.") == {"enclaves": 2, "ai": 1}
    assert [t for _, t in matcher.positions("ai then enclave")] == ["ai", "enclaves"]
    assert TermMatcher([]).counts("anything") == {}


def test_a_name_in_the_episode_title_counts_for_nothing_inside_it():
    """`coverage_content` leaves out terms of the title, podcast or speakers; `coverage` keeps them."""
    context = frozenset({"max", "tegmark"})
    rows = feature_rows(["tegmark", "threshold"], [
        _candidate(1, "Tegmark here, welcome to the show.", 1, context=context),
        _candidate(2, "The real threshold is when machines learn better than us.", 2, context=context),
    ], {"e1": EpisodeStats(2, 8.0, {"tegmark": 2, "threshold": 1})})
    intro, answer = _row(rows, 0), _row(rows, 1)
    assert intro["coverage"] == 0.5 and intro["coverage_content"] == 0.0
    assert answer["coverage_content"] == 1.0 and answer["episode_bm25"] > intro["episode_bm25"] == 0.0


def test_neighbours_position_cues_and_episode_evidence():
    rows = feature_rows(["trial", "dropped"], [
        _candidate(1, "This episode is brought to you by Acme, go to acme.com/pod for a free trial.", 1, start=30.0),
        _candidate(2, "So that is why it went.", 2, previous="We dropped the trial last spring.", start=900.0),
        _candidate(3, "Unrelated words entirely.", 3, episode="e2"),
    ], {})
    sponsor, answer, other = _row(rows, 0), _row(rows, 1), _row(rows, 2)
    assert sponsor["opening"] == 1.0 and sponsor["sponsor_cues"] >= 2 and answer["opening"] == 0.0
    assert answer["coverage"] == 0.0 and answer["coverage_with_neighbours"] == 1.0
    assert answer["episode_bm25_neighbours"] > 0 and answer["position"] == pytest.approx(0.25)
    assert sponsor["log_episode_candidates"] == answer["log_episode_candidates"] > other["log_episode_candidates"]
    assert sponsor["episode_best"] == 1.0 and answer["episode_best"] == 0.0 and other["episode_best"] == 1.0
    assert len(rows[0]) == len(FEATURES)


def test_the_packaged_ranker_loads_offline_and_scores_deterministically():
    ranker = Ranker.load()
    assert ranker.meta["features"] == list(FEATURES)
    rows = feature_rows(["trial"], [_candidate(1, "free trial", 1), _candidate(2, "nothing", 2)], {})
    first, again = ranker.score(rows), ranker.score(rows)
    assert first.tolist() == again.tolist() and len(first) == 2


def test_a_ranker_of_another_version_or_feature_list_is_refused_with_the_fix(tmp_path):
    for name in (MODEL_FILE, META_FILE):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    meta = json.loads((tmp_path / META_FILE).read_text())
    (tmp_path / META_FILE).write_text(json.dumps({**meta, "format_version": 99}))
    with pytest.raises(IndexError_, match="format 99.*retrain"):
        Ranker.load(tmp_path)
    (tmp_path / META_FILE).write_text(json.dumps({**meta, "features": meta["features"][:-1]}))
    with pytest.raises(IndexError_, match="other features.*retrain"):
        Ranker.load(tmp_path)
    (tmp_path / META_FILE).write_text(json.dumps(meta))
    (tmp_path / MODEL_FILE).write_text("not a model")
    with pytest.raises(IndexError_, match="cannot be loaded"):
        Ranker.load(tmp_path)


def test_seek_lands_where_the_rare_words_are_said_within_a_window():
    text = "so anyway. we talked about it. the free trial cost us a lot. so we dropped the trial."
    starts = [(0, 100.0), (11, 103.0), (31, 106.0), (61, 109.0)]
    matcher = TermMatcher(["trial", "dropped"])
    weights = term_weights(matcher, [text, "trial trial", "trial here"])
    assert weights["dropped"] > weights["trial"]
    score = lambda piece: matcher.weighted(piece, weights)  # noqa: E731
    assert seek_second(text, starts, score) == 109.0  # alone, the last segment holds both words
    assert seek_second(text, starts, score, window_s=5.0) == 106.0  # a 5 s window from 106 s holds both too
    assert seek_second(text, starts, lambda piece: 0.0) is None


def test_an_opening_whose_query_words_recur_later_in_its_episode_is_a_preview():
    terms = ["free", "trial", "dana"]
    intro = _candidate(1, "Today my guest Dana talks about why they dropped the free trial.", 1, start=0.0,
                       context=frozenset({"dana"}))
    answer = _candidate(2, "Honestly the free trial was killing us, so we dropped it.", 2, start=800.0)
    partial = _candidate(3, "A trial run of the new plan.", 3, start=900.0)
    elsewhere = _candidate(4, "Our free trial ends today.", 4, start=700.0, episode="e2")
    cold_open = _candidate(5, "Nothing here matches.", 5, start=30.0)
    # the name is the episode's (it matches everywhere), the intro's other words all recur in the answer only,
    # another episode's passage says nothing about this one, and an opening without the words previews nothing
    assert previews(terms, [intro, answer, partial, elsewhere, cold_open]) == {0: [1]}
    assert previews(terms, [intro, partial]) == {}


def test_a_preview_goes_right_after_the_first_passage_it_previews_and_nothing_else_moves():
    assert _after_what_they_preview([0, 4, 2, 1, 3], {0: [1, 3]}) == [4, 2, 1, 0, 3]
    assert _after_what_they_preview([1, 0, 2], {0: [1]}) == [1, 0, 2]  # already after it: stays
    assert _after_what_they_preview([0, 5, 1, 6, 2], {0: [2], 1: [2]}) == [5, 6, 2, 0, 1]
