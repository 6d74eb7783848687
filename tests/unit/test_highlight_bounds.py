"""Snippets stay linear and bounded: a passage with thousands of matches costs no more than an ordinary one, and
ordinary passages get exactly the snippet the original (quadratic) window search gave."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import pytest

from indexer.search import highlight
from indexer.search.highlight import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, MAX_WINDOW_MATCHES, snippet
from indexer.search.query import WORD, term_matches


def quadratic_snippet(text: str, terms: Sequence[str], width: int = 240) -> str:
    """The snippet as it was before the fix, kept as the reference for what the output must be."""
    clean = text.replace(HIGHLIGHT_OPEN, "‹").replace(HIGHLIGHT_CLOSE, "›")
    spans = [m.span() for m in WORD.finditer(clean) if term_matches(m.group(), terms)]
    start = 0
    if spans and len(clean) > width:
        best, best_count = spans[0][0], 0
        for s, _ in spans:
            count = sum(1 for t, _ in spans if s <= t < s + width)
            if count > best_count:
                best, best_count = s, count
        start = max(0, best - width // 4)
        space = clean.rfind(" ", 0, start)
        start = space + 1 if start and space >= 0 else start
    end = min(len(clean), start + width)
    if end < len(clean):
        space = clean.rfind(" ", start, end)
        end = space if space > start else end
    out: list[str] = ["…" if start else ""]
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [clean[pos:s], HIGHLIGHT_OPEN, clean[s:e], HIGHLIGHT_CLOSE]
        pos = e
    out += [clean[pos:end], "…" if end < len(clean) else ""]
    return "".join(out)


VOCABULARY = ["enclave", "enclaves", "secure", "the", "model", "weights", "sealed", "a", "privacy", "«x»",
              "computing", "tokens", "hardware", "of", "Enclave,", "key-value", "données", "‹»", "ok."]


def random_text(rng: random.Random, words: int) -> str:
    sep = rng.choice([" ", "  ", "\n", ""])  # "" makes long runs without spaces: cuts fall mid-word
    return sep.join(rng.choice(VOCABULARY) for _ in range(words)) if sep else " ".join(
        "".join(rng.choice(VOCABULARY) for _ in range(rng.randint(1, 30))) for _ in range(max(1, words // 10)))


@pytest.mark.parametrize("seed", range(60))
def test_same_snippet_as_the_quadratic_search(seed: int):
    rng = random.Random(seed)
    text = random_text(rng, rng.choice([0, 3, 40, 200, 1500]))
    terms = rng.sample(["enclave", "secure", "weights", "computing", "privacy", "the", "zzz"], rng.randint(1, 3))
    width = rng.choice([240, 240, 60, 17])
    assert snippet(text, terms, width) == quadratic_snippet(text, terms, width)


def test_fixed_examples_unchanged():
    text = ("Intro chatter. " * 30 + "Secure enclaves keep model weights sealed inside the enclave. " +
            "Outro chatter. " * 30)
    got = snippet(text, ["secure", "enclave", "weights"])
    assert got == quadratic_snippet(text, ["secure", "enclave", "weights"])
    assert "«Secure» «enclaves» keep model «weights»" in got and got.startswith("…") and got.endswith("…")
    assert snippet("short «text» here", ["text"]) == "short ‹«text»› here"


def count_matches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the matches the snippet reads from its (lazy) matcher: the work that grows with a passage."""
    calls = [0]
    real = highlight._matches

    def counting(clean: str, terms: Sequence[str]) -> Iterator[tuple[int, int]]:
        for span in real(clean, terms):
            calls[0] += 1
            yield span

    monkeypatch.setattr(highlight, "_matches", counting)
    return calls


@pytest.mark.parametrize("filler", ["", "and so on "])
def test_sixteen_thousand_matches_cost_a_bounded_amount_of_work(monkeypatch, filler: str):
    """Was 8.6 s (every match counted the matches after it). Now only the words up to the cap plus the window are
    ever looked at, whatever the length of the passage."""
    text = ("enclave " + filler) * 16_000
    calls = count_matches(monkeypatch)
    got = snippet(text, ["enclave"])
    assert calls[0] <= MAX_WINDOW_MATCHES + 60  # of 16,000
    marked = got.count(HIGHLIGHT_OPEN)
    assert marked == got.count(HIGHLIGHT_CLOSE) == got.count("enclave") > 0
    assert got.startswith("«enclave»") and got.endswith("…") and len(got) < 240 + 2 * marked + 2


def test_window_past_the_cap_still_marks_every_match_in_it(monkeypatch):
    """Matches after the cap that fall inside the chosen window are found and marked as before."""
    text = "filler " * 5000 + "enclave " * (MAX_WINDOW_MATCHES + 500)
    got = snippet(text, ["enclave"])
    assert got == quadratic_snippet(text, ["enclave"])
    assert got.count("«enclave»") == got.count("enclave")


def test_letters_that_lowercase_longer_keep_the_marks_on_their_words():
    text = "İİİ İstanbul talks: the enclave, then Enclaves again."  # "İ".lower() is two characters
    assert snippet(text, ["enclave"]) == "İİİ İstanbul talks: the «enclave», then «Enclaves» again."
    assert snippet(text, ["enclave"]) == quadratic_snippet(text, ["enclave"])
