"""The second stage with the real model: a question naming the guest finds the moment that answers it, not the
intro that previews it or the sponsor read that shares its words."""

from __future__ import annotations

import pytest
from support import make_source

from indexer.index.reader import Index
from indexer.index.updates import build_sources
from indexer.search.searcher import Searcher
from indexer.settings import Settings

FILLER = ("We spent a while on how the team works day to day, who writes the roadmap, how often they ship, and "
          "what the office looked like in the first year when everyone sat around one long table. ")
INTRO = [
    (0, 40, "Today my guest is Dana Reyes, founder of Ledgerly. We talk about pricing, why they dropped the free "
            "trial, hiring their first engineers, and burning out. ", None),
    (40, 80, "This episode is brought to you by Acme. Go to acme.com/pod and sign up for a free trial today, "
             "that is acme.com/pod for a free trial. ", None),
]
# the guest answers in the question's words, once, among their own (the intro says them too, and so does the ad)
ANSWER = ("Honestly the free trial was killing us. People signed up, never set anything up, and support drowned "
          "in tickets from accounts that would never pay. So we dropped it and moved to a money-back guarantee, "
          "and paid conversion went up the very next month. ")


def _episodes():
    """An hour-long interview (the second stage reorders lists of 20 or more spoken passages, as real archives
    give it) and another episode of the same show."""
    body = [(80 + 20 * i, 100 + 20 * i, FILLER, None) for i in range(36)]
    answer = [(800, 830, ANSWER, None)]
    later = [(830 + 20 * i, 850 + 20 * i, FILLER, None) for i in range(60)]
    guest = make_source("ledgerly", INTRO + body + answer + later, podcast="Builders Talk",
                        title="#42 - Dana Reyes", duration_s=3600)
    other = make_source("other", [(20 * i, 20 * i + 20, f"A show about gardens, part {i}: compost, roses and "
                                  "tomatoes, and when to water them in a dry summer. ", None) for i in range(60)],
                        podcast="Builders Talk", title="#43 - Sam Green", duration_s=1200)
    return [guest, other]


@pytest.fixture(scope="module")
def guest_index(tmp_path_factory, real_embedder):
    path = tmp_path_factory.mktemp("second-stage") / "idx"
    build_sources(_episodes(), path, Settings(), real_embedder)
    return Index.open(path)


def test_the_answer_outranks_the_intro_and_the_sponsor_read(guest_index, real_embedder):
    question = "what happened to conversion after removing the trial"
    result = Searcher(guest_index, real_embedder, Settings()).search(question, k=5)
    top = result.hits[0]
    assert top.episode.id == "ledgerly" and top.start_s <= 800 < top.end_s, [h.start_s for h in result.hits]
    assert "rerank" in top.explain and top.explain["rerank"]["rank"] == 1
    assert 790 <= top.seek_s <= 830  # the player starts at the answer, not at the passage start
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("question", ["Why did Dana Reyes drop the free trial?",
                                      "why did they stop offering a free trial"])
def test_the_answer_outranks_an_intro_that_previews_its_words(guest_index, real_embedder, question):
    hits = Searcher(guest_index, real_embedder, Settings()).search(question).hits
    assert hits[0].start_s <= 800 < hits[0].end_s, [h.start_s for h in hits]
    # the intro is not dropped: it follows the moment it previews
    assert any(h.start_s == 0 for h in hits[1:4]), [h.start_s for h in hits]


def test_the_second_stage_can_be_switched_off(guest_index, real_embedder):
    hits = Searcher(guest_index, real_embedder, Settings(rerank=False)).search("free trial", k=3).hits
    assert hits and all("rerank" not in h.explain for h in hits)
