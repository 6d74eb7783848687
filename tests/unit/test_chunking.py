"""Chunking on tiny inputs with the real tiktoken encoding (loaded offline)."""

from support import make_source

from indexer.passages.chunking import episode_passages, transcript_passages
from indexer.passages.context import embedding_text
from indexer.passages.sentences import split_sentences
from indexer.passages.tokens import TokenCounter
from indexer.settings import ChunkSettings

COUNT = TokenCounter()


VOCAB = "the model runs on data we keep private while users own their keys and weights".split()


def _lines(n: int, start: float = 0.0, step: float = 5.0, words: int = 8):
    """n segments of `words` common one-token words each (about 9 tokens a segment)."""
    return [(start + i * step, start + (i + 1) * step,
             " ".join(VOCAB[(i + j) % len(VOCAB)] for j in range(words)) + ".",
             "Ann" if i % 2 else "Bob") for i in range(n)]


def test_tiktoken_loads_offline_and_counts():
    assert COUNT("secure enclaves") > 1


def test_windows_stay_under_the_limit_and_overlap():
    src = make_source("e1", _lines(60))
    settings = ChunkSettings(max_tokens=120, overlap=0.15)
    ps = transcript_passages(src.episode, src.transcript, settings, COUNT)
    assert len(ps) > 3
    assert all(COUNT(p.text) <= 120 for p in ps)
    # consecutive windows share some words (overlap) and move forward in time
    for a, b in zip(ps, ps[1:], strict=False):
        assert b.start_s > a.start_s
        assert b.start_s < a.end_s
    assert ps[0].start_s == 0.0 and ps[-1].end_s == 300.0


def test_a_window_never_spans_two_chapters():
    src = make_source("e1", _lines(40), chapters=[(0, "Intro"), (100, "Main")], duration_s=200)
    ps = transcript_passages(src.episode, src.transcript, ChunkSettings(max_tokens=400), COUNT)
    assert [p.chapter_title for p in ps] == ["Intro", "Main"]
    assert ps[0].end_s <= 100 <= ps[1].start_s
    assert ps[1].chapter_index == 1


def test_long_segment_is_split_at_sentences_with_interpolated_times():
    text = " ".join(f"Sentence number {i} talks about databases and vectors." for i in range(60))
    src = make_source("e1", [(10.0, 130.0, text, "Ann")])
    ps = transcript_passages(src.episode, src.transcript, ChunkSettings(max_tokens=100, overlap=0.0), COUNT)
    assert len(ps) > 2
    assert all(COUNT(p.text) <= 100 for p in ps)
    assert all(p.text.endswith(".") for p in ps)
    assert ps[0].start_s == 10.0 and not ps[0].time_estimated
    assert 10.0 < ps[1].start_s < 130.0 and ps[1].time_estimated
    assert ps[-1].end_s == 130.0


def test_metadata_passages_and_speakers():
    src = make_source("e1", _lines(3), chapters=[(0, "Intro"), (10, "Talk")], summary="A summary.", duration_s=15)
    src.episode.highlights.append("A highlight")
    ps = episode_passages(src.episode, src.transcript, ChunkSettings(), COUNT)
    kinds = [p.kind for p in ps]
    assert kinds[:4] == ["summary", "highlight", "chapter", "chapter"]
    summary = ps[0]
    assert summary.start_s is None and summary.end_s is None
    chapter = ps[3]
    assert (chapter.start_s, chapter.end_s, chapter.chapter_title) == (10, 15, "Talk")
    transcript = [p for p in ps if p.kind == "transcript"]
    assert transcript[0].speakers == ("Bob", "Ann")
    # marks point at each segment start inside the passage text
    for p in transcript:
        for offset, _start in p.segment_starts:
            assert p.text[offset:].split()[0] in VOCAB


def test_embedding_text_puts_spoken_words_first():
    src = make_source("e1", _lines(2), title="Private AI", chapters=[(0, "Enclaves")])
    p = transcript_passages(src.episode, src.transcript, ChunkSettings(), COUNT)[0]
    text = embedding_text(src.episode, p)
    assert text.startswith(p.text) and "Private AI" in text and "Enclaves" in text


def test_sentences():
    assert split_sentences("One. Two? Three! Four") == ["One.", "Two?", "Three!", "Four"]


LONG_SUMMARY = " ".join(f"Note {i} says we talked about secure enclaves with a guest." for i in range(1500))


def test_a_long_summary_becomes_bounded_untimed_windows_with_one_context_line():
    src = make_source("e1", _lines(3), title="Private AI", summary=LONG_SUMMARY)
    src.episode.highlights.append(LONG_SUMMARY.replace("Note", "Point"))
    settings = ChunkSettings(max_tokens=200, overlap=0.15)
    ps = episode_passages(src.episode, src.transcript, settings, COUNT)
    for kind, word in (("summary", "Note"), ("highlight", "Point")):
        pieces = [p for p in ps if p.kind == kind]
        assert len(pieces) > 50  # ~14 tokens a sentence: 1,500 sentences cannot fit a few windows
        assert all(COUNT(p.text) <= 200 for p in pieces)
        assert all(p.start_s is None and p.end_s is None and not p.segment_starts for p in pieces)
        # whole sentences, in order, each one in some window, neighbours overlapping
        assert all(p.text.startswith(f"{word} ") and p.text.endswith("guest.") for p in pieces)
        numbers = [[int(s.split()[1]) for s in split_sentences(p.text)] for p in pieces]
        assert sorted({n for ns in numbers for n in ns}) == list(range(1500))
        assert all(a[-1] >= b[0] for a, b in zip(numbers, numbers[1:], strict=False))
        contexts = {embedding_text(src.episode, p).split("\n")[1] for p in pieces}
        assert contexts == {"Private AI | Test Pod"}  # the same context line as the episode's other passages


def test_a_short_summary_stays_one_passage_and_an_unbroken_one_is_cut_between_words():
    src = make_source("e1", _lines(1), summary="  We talk about enclaves.  ")
    src.episode.highlights.append("enclave " * 2000)
    ps = episode_passages(src.episode, src.transcript, ChunkSettings(max_tokens=200), COUNT)
    assert [p.text for p in ps if p.kind == "summary"] == ["We talk about enclaves."]
    highlights = [p for p in ps if p.kind == "highlight"]
    assert len(highlights) >= 10 and all(COUNT(p.text) <= 200 for p in highlights)
    assert sum(p.text.count("enclave") for p in highlights) >= 2000
