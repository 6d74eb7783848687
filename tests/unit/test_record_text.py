"""The episode record text format, on the seed record (data/ copy) and on broken variants."""

from __future__ import annotations

import pytest
from conftest import DATA

from indexer.errors import InputError
from indexer.ingest.formats.record_text import parse_record_text, read_record_text, sniff_record_text

SEED = DATA / "000_63d314c80ff6c941.txt"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text("utf-8")


def test_seed_metadata(seed_text: str) -> None:
    ep = parse_record_text(seed_text, fallback_id="000_63d314c80ff6c941")
    assert ep.id == "000_63d314c80ff6c941"
    assert ep.title == "The Decentralized Future of Private AI with Illia Polosukhin - #749"
    assert ep.podcast == "The TWIML AI Podcast (formerly This Week in Machine Learning & Artificial Intelligence)"
    assert ep.published == "2025-09-30"
    assert ep.duration_s == 3903
    assert ep.url == "https://twimlai.com/podcast/twimlai/the-decentralized-future-of-private-ai/"
    assert ep.audio_url == "https://pscrb.fm/rss/p/traffic.megaphone.fm/MLN2189764781.mp3?updated=1762292711"
    assert ep.summary.startswith("Illia Polosukhin, co-author of the Transformer paper, explains")
    assert ep.summary.endswith("private model training and verifiable inference.")
    # Ignored labels leave nothing behind anywhere.
    assert "stenobird" not in repr(ep) and "processed" not in repr(ep)


def test_seed_topics_and_highlights(seed_text: str) -> None:
    ep = parse_record_text(seed_text, fallback_id="seed")
    assert ep.topics == ["Transformer Architecture", "Decentralized AI", "Confidential Computing", "Data Privacy",
                         "Blockchain", "Near AI", "Machine Learning", "Formal Verification", "AI Agents"]
    assert len(ep.highlights) == 5
    assert ep.highlights[0] == ("Main idea: Centralized data collection is transitioning from a gold mine to a "
                                "legal liability due to global regulations like GDPR")
    assert ep.highlights[2].startswith("Failure mode: The lack of transparency in 'open weights' models")
    assert ep.highlights[4].endswith("as different AI systems call one another")


def test_seed_chapters(seed_text: str) -> None:
    ep, warnings = read_record_text(seed_text, fallback_id="seed")
    assert warnings == []
    assert [c.start_s for c in ep.chapters] == [60, 360, 640, 1230, 1535, 2115, 3530]
    assert [c.end_s for c in ep.chapters] == [360, 640, 1230, 1535, 2115, 3530, 3903]
    assert [c.index for c in ep.chapters] == list(range(7))
    assert [c.title for c in ep.chapters] == [
        "The Transformer Legacy and Near AI",
        "The Shift from Data Assets to Liabilities",
        "Confidential Computing and Secure Enclaves",
        "The Decentralized Cloud Architecture",
        "Tokenized Incentives for Data and Training",
        "The Problem with Open Weights vs. Open Process",
        "Formal Verification and AI Agent Composability",
    ]
    assert ep.chapters[0].description == (
        "Illia discusses his transition from developing the Transformer architecture at Google to founding Near AI "
        "to tackle the challenges of scalable, private intelligence.")
    assert ep.chapters[2].description.startswith("How new hardware generations and NVIDIA-enabled secure modes")
    assert ep.chapters[6].description == (
        "The necessity of formal verification to ensure that as AI agents begin calling other AI services, they "
        "adhere to predictable, verifiable, and secure properties.")
    assert all(isinstance(c.start_s, float) for c in ep.chapters)


def test_sniff(seed_text: str) -> None:
    assert sniff_record_text(seed_text)
    assert sniff_record_text("\ufeff\n\nEpisode\nTitle\n")
    assert not sniff_record_text("WEBVTT\n\n00:00.000 --> 00:01.000\nEpisode\n")
    assert not sniff_record_text("Episode 12 of the show\n")
    assert not sniff_record_text("")


MINIMAL = "Episode\n\nA title\n\nDuration seconds\n{duration}\nChapters\n\n{chapters}\n"


def test_minimal_record_and_id_fallback() -> None:
    ep = parse_record_text("Episode\nJust a title\n")
    assert ep.title == "Just a title" and ep.id == "just-a-title"
    assert ep.chapters == [] and ep.published is None and ep.duration_s is None


def test_bad_duration_names_line_and_field() -> None:
    text = MINIMAL.format(duration="about an hour", chapters="1. 0:00 Intro")
    with pytest.raises(InputError) as info:
        parse_record_text(text, "x")
    assert info.value.where == "line 6: Duration seconds"
    assert "about an hour" in str(info.value)


def test_bad_chapter_time_names_line() -> None:
    text = MINIMAL.format(duration="600", chapters="1. 0:00 Intro: hello\n2. 1:75 Middle: oops")
    with pytest.raises(InputError) as info:
        parse_record_text(text, "x")
    assert info.value.where == "line 10: Chapters"
    assert "seconds over 59" in info.value.problem


def test_chapter_without_time_is_an_error() -> None:
    text = MINIMAL.format(duration="600", chapters="1. Intro: no time here")
    with pytest.raises(InputError, match="must start with its time"):
        parse_record_text(text, "x")


def test_bad_published_date() -> None:
    with pytest.raises(InputError) as info:
        parse_record_text("Episode\nT\nPublished\nsometime in spring\n", "x")
    assert info.value.where == "line 4: Published"


def test_missing_title() -> None:
    with pytest.raises(InputError, match="missing title"):
        parse_record_text("Episode\n\nPodcast\nShow\n", "x")


def test_chapters_out_of_order_are_sorted_with_warning() -> None:
    text = MINIMAL.format(duration="600", chapters="1. 5:00 Second\n2. 0:00 First: the start\n  wrapped line")
    ep, warnings = read_record_text(text, "x")
    assert [(c.title, c.start_s, c.end_s) for c in ep.chapters] == [("First", 0, 300), ("Second", 300, 600)]
    assert ep.chapters[0].description == "the start wrapped line"
    assert any("out of order" in w for w in warnings)


def test_wrapped_bullets_and_stray_text() -> None:
    text = "Episode\nT\nstray words\nTopics\n  • One\n  • Two that\n    wraps\n- Three\n"
    ep, warnings = read_record_text(text, "x")
    assert ep.topics == ["One", "Two that wraps", "Three"]
    assert any("line 3" in w and "stray words" in w for w in warnings)


def test_other_date_forms() -> None:
    assert parse_record_text("Episode\nT\nPublished\n2024-02-29\n", "x").published == "2024-02-29"
    assert parse_record_text("Episode\nT\nPublished\nSeptember 3, 2025\n", "x").published == "2025-09-03"
