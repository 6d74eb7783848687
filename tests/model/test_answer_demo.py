"""Answers on the demo index: 20 questions written from the demo episodes, and topics the demo never covers."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from indexer.answer.citations import NOT_FOUND, normalise
from indexer.answer.extractive import ExtractiveAnswerer
from indexer.index.reader import Index
from indexer.search.searcher import Searcher
from indexer.settings import Settings

QUESTIONS = json.loads((FIXTURES / "demo_questions.json").read_text())


@pytest.fixture(scope="module")
def answerer(demo_index, real_embedder):
    return ExtractiveAnswerer(Searcher(Index.open(demo_index), real_embedder, Settings()))


def test_confidential_computing_question_cites_the_chapter(answerer):
    answer = answerer.ask("What hardware lets developers run software on user data without seeing it?")
    assert answer.found
    chapters = [c for c in answer.citations if c.kind == "chapter"]
    assert chapters and chapters[0].chapter.title == "Confidential Computing and Secure Enclaves"
    assert chapters[0].start_s == 640 and chapters[0].link.endswith("#t=640")


def test_twenty_questions_every_quote_verbatim(answerer):
    conn = answerer.searcher.index.conn
    right_episode = contains_answer = 0
    for q in QUESTIONS["answerable"]:
        answer = answerer.ask(q["question"])
        assert answer.found, q["question"]
        for c in answer.citations:
            stored = conn.execute("SELECT text FROM passages WHERE id = ?", (c.passage_id,)).fetchone()[0]
            assert normalise(c.quote) in normalise(stored), (q["question"], c.quote)
            assert c.quote.strip()
        first = answer.citations[0]
        right_episode += first.episode.id == q["episode"]
        contains_answer += any(w in first.quote.lower() for w in q["answer_words"])
    assert right_episode >= 18, right_episode
    assert contains_answer >= 16, contains_answer


@pytest.mark.parametrize("question", QUESTIONS["absent"])
def test_absent_topics_say_not_found(answerer, question):
    answer = answerer.ask(question)
    assert not answer.found and answer.answer == NOT_FOUND and not answer.citations
    assert answer.passages  # the closest passages instead
