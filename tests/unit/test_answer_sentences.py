"""Answer quotes without a model: sentence offsets stay verbatim and a quoted character's second is interpolated
between segment starts (the answers themselves, on the real model, are tested in tests/model/test_answer.py)."""

from __future__ import annotations

from indexer.answer.citations import time_at
from indexer.passages.sentences import sentence_spans


def test_sentence_offsets_stay_verbatim_and_times_interpolate():
    text = "First one here. Second, longer sentence follows! Third?"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["First one here.", "Second, longer sentence follows!", "Third?"]

    class H:  # a hit with two segments: 0-10 s at offset 0, 10-30 s at offset 16
        text = "First one here. Second, longer sentence follows! Third?"
        segment_starts = [(0, 0.0), (16, 10.0)]
        start_s, end_s = 0.0, 30.0

    assert time_at(H, 0) == 0.0
    assert time_at(H, 16) == 10.0
    assert 10.0 < time_at(H, 49) < 30.0
