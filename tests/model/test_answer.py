"""Extractive answers: verbatim quotes, sentence-level timestamps, verification, and 'not found'."""

from __future__ import annotations

from dataclasses import replace

from support import make_source

from indexer.answer.citations import NOT_FOUND, verify
from indexer.answer.extractive import ExtractiveAnswerer
from indexer.index.reader import Index
from indexer.index.updates import build_sources
from indexer.search.searcher import Searcher
from indexer.settings import Settings

SETTINGS = Settings()


def _answerer(tmp_path, embedder):
    sources = [
        make_source("enclave", [
            (0, 20, "Welcome to the show. Today we have Illia with us.", "Host"),
            (20, 60, "Secure enclaves are hardware that runs your code on data the cloud operator can never see. "
                     "That makes private inference possible.", "Illia"),
            (60, 90, "We also talked about tokens and rewarding people for contributing data.", "Illia"),
        ], title="Private AI", chapters=[(0, "Intro"), (20, "Secure Enclaves")], duration_s=90),
        make_source("garden", [(0, 40, "Aphids on roses wash off with soapy water. Tomatoes want sun.", "Sam")],
                    podcast="Garden Hour", title="Roses", duration_s=40),
    ]
    build_sources(sources, tmp_path / "idx", SETTINGS, embedder)
    return ExtractiveAnswerer(Searcher(Index.open(tmp_path / "idx"), embedder, SETTINGS))


def test_answer_quotes_the_sentence_and_plays_from_it(tmp_path, real_embedder):
    answerer = _answerer(tmp_path, real_embedder)
    answer = answerer.ask("What hardware runs code on data the operator cannot see?")
    assert answer.found and answer.citations
    first = answer.citations[0]
    assert first.quote.startswith("Secure enclaves are hardware")
    stored = answerer.searcher.stored_texts([first.passage_id])[first.passage_id]
    assert first.quote in stored  # verbatim
    assert first.episode.id == "enclave" and first.chapter.title == "Secure Enclaves"
    assert first.start_s == 20.0 and first.link.endswith("#t=20")


def test_absent_topic_is_not_found_but_shows_closest_passages(tmp_path, real_embedder):
    answer = _answerer(tmp_path, real_embedder).ask("Who won the football world cup in 1998?")
    assert not answer.found and answer.answer == NOT_FOUND and answer.citations == []
    assert answer.passages  # the closest passages are still shown


def test_a_quote_that_is_not_in_the_passage_is_dropped(tmp_path, real_embedder):
    answerer = _answerer(tmp_path, real_embedder)
    answer = answerer.ask("What hardware runs code on data the operator cannot see?")
    forged = replace(answer.citations[0], quote="Secure enclaves are useless.")
    kept, dropped = verify([answer.citations[0], forged],
                           answerer.searcher.stored_texts([answer.citations[0].passage_id]))
    assert kept == [answer.citations[0]] and dropped == 1
