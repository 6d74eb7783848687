"""Answers cite the moment it was said (issue 16): spoken evidence before publisher text, answer windows that
cross a turn boundary, and "not found" for a question the episodes do not answer. Real model, real index."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support import make_source

from indexer.answer.citations import NOT_FOUND
from indexer.answer.extractive import ExtractiveAnswerer
from indexer.index.reader import Index
from indexer.index.updates import build_sources
from indexer.search.filters import Filters
from indexer.search.searcher import Searcher
from indexer.settings import ChunkSettings, Settings

SETTINGS = Settings()
# the publisher's summary says in its own words what Maria says at 0:40
VOYAGE = [
    (0, 20, "Welcome back to the show. Today I am talking with Maria about her years at sea.", "Host"),
    (20, 40, "So tell me, how did that first voyage begin?", "Host"),
    (40, 75, "We left Lisbon in the middle of a storm, and honestly I was sure the mast would snap before we "
             "reached open water.", "Maria"),
    (75, 100, "Later we spent two weeks becalmed near the Azores, fishing to pass the time.", "Maria"),
]
VOYAGE_SUMMARY = "Maria recalls setting sail from Portugal's capital in violent weather, afraid the rigging would fail."
# one answer in two turns: Ana names the first thing, Ben the second
HARBOUR = [
    (0, 20, "Welcome to Harbour Talk, the show about small boats and the people who sail them.", "Host"),
    (20, 30, "What do you need before you can bring a boat into the old harbour?", "Host"),
    (30, 45, "First you need a mooring permit from the harbour office.", "Ana"),
    (45, 60, "And you also need a licensed pilot on board for the narrow channel.", "Ben"),
    (60, 80, "The fish market opens at dawn, which is the best time to buy sardines.", "Ana"),
]


@pytest.fixture(scope="module")
def answerer(tmp_path_factory, real_embedder) -> ExtractiveAnswerer:
    sources = [
        make_source("voyage", VOYAGE, title="Years at sea", duration_s=100, summary=VOYAGE_SUMMARY),
        make_source("harbour", HARBOUR, podcast="Harbour Talk", title="Into the old harbour", duration_s=80),
    ]
    path = tmp_path_factory.mktemp("moment") / "idx"
    build_sources(sources, path, SETTINGS, real_embedder)
    return ExtractiveAnswerer(Searcher(Index.open(path), real_embedder, SETTINGS))


def test_a_summary_that_paraphrases_the_answer_points_at_the_spoken_second(answerer):
    question = "Was Maria afraid the rigging would fail when she set sail from Portugal's capital in violent weather?"
    answer = answerer.ask(question)
    # the premise: the summary is the closest text to the question (otherwise this tests nothing)
    assert answer.passages[0].kind == "summary"
    assert answer.found
    first = answer.citations[0]
    assert first.kind == "transcript" and first.quote.startswith("We left Lisbon in the middle of a storm")
    assert first.start_s == 40.0 and first.link is not None and first.link.endswith("#t=40")
    # the summary may support the answer, after the moment and never played from 0:00
    assert all(c.start_s is None for c in answer.citations if c.kind == "summary")
    assert any(c.kind == "summary" for c in answer.citations[1:])


def test_asked_for_publisher_text_only_the_answer_cites_no_spoken_moment(answerer):
    """The request's filters bind the spoken lookup too (a fuzz test found a transcript cited under kind=highlight)."""
    question = "Was Maria afraid the rigging would fail when she set sail from Portugal's capital in violent weather?"
    answer = answerer.ask(question, filters=Filters(kind="summary"))
    assert answer.found and answer.citations
    assert {c.kind for c in answer.citations} == {"summary"}


def test_an_answer_across_a_turn_boundary_quotes_both_sentences(answerer):
    answer = answerer.ask("Which permit and what kind of person on board do you need to enter the old harbour?")
    assert answer.found
    first = answer.citations[0]
    assert "mooring permit" in first.quote and "licensed pilot" in first.quote
    assert first.start_s == 30.0  # the first word of the quote, Ana's turn
    assert "sardines" not in first.quote  # the smallest window: the next turn adds nothing


def test_a_question_the_episodes_do_not_answer_is_not_found(answerer):
    answer = answerer.ask("How long should I boil an egg if I want the yolk still runny?")
    assert not answer.found and answer.answer == NOT_FOUND and answer.citations == []


# short passages that overlap by half: the answer's first sentence ends one passage and opens the next
ROOF = [
    (0, 10, "Welcome to the garden show, where we talk about plants every single week.", "Host"),
    (10, 20, "Today our guest grows vegetables on a city rooftop in the middle of town.", "Host"),
    (20, 30, "My grandmother taught me to grow beans on a windowsill when I was small.", "Lena"),
    (30, 40, "The secret to rooftop tomatoes is a deep wicking bed filled with compost.", "Lena"),
    (40, 50, "They also need a windbreak of woven willow along the western edge.", "Lena"),
    (50, 60, "Bees visit the flowers all summer long and the neighbours love it.", "Lena"),
]


def test_an_answer_that_runs_past_its_passage_continues_in_the_next(tmp_path, real_embedder):
    settings = replace(SETTINGS, chunk=ChunkSettings(max_tokens=45, overlap=0.5))
    build_sources([make_source("roof", ROOF, title="Rooftop", duration_s=60)], tmp_path / "idx", settings,
                  real_embedder)
    answerer = ExtractiveAnswerer(Searcher(Index.open(tmp_path / "idx"), real_embedder, settings))
    question = "What do rooftop tomatoes need: what kind of bed, and what shelters them from the wind?"
    hits = answerer.searcher.search(question, k=6).hits
    # read only the passage that ends with the answer's first sentence: the rest is in the next one
    [ending] = [h for h in hits if h.text.endswith("filled with compost.")]
    answer = answerer._answer(question, [ending])
    first = answer.citations[0]
    assert first.quote == ("The secret to rooftop tomatoes is a deep wicking bed filled with compost. "
                           "They also need a windbreak of woven willow along the western edge.")
    assert first.passage_id != ending.id and first.start_s == 30.0
