"""Test helpers shared across modules: a deterministic fake embedder and tiny episode builders."""

from __future__ import annotations

import hashlib
import os
import re

import numpy as np

from indexer.datamodel import Chapter, Episode, EpisodeSource, Segment, Transcript, finish_chapters

# two small episodes many tests search: private computing, and a garden
ENCLAVE = [
    (0, 30, "Welcome back to the show, today we talk about private computing.", "Host"),
    (30, 70, "Secure enclaves let a cloud run your code on data it can never read.", "Illia"),
    (70, 110, "Confidential computing hardware keeps model weights and user data sealed.", "Illia"),
    (110, 150, "Then we moved on to tokens and incentives for people who share data.", "Host"),
]
GARDEN = [
    (0, 40, "My tomatoes grow best with compost and plenty of sun in the garden.", "Sam"),
    (40, 80, "Aphids on the roses can be washed away with soapy water.", "Sam"),
]


class FakeEmbedder:
    """Hashed bag of words: same words, same vector. For logic tests only; features are also tested on the real model."""

    name = "fake-bow"
    dimension = 64
    fingerprint = "fake0001"

    def __init__(self) -> None:
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


def make_source(episode_id: str, lines: list[tuple[float, float, str, str | None]], *, podcast: str = "Test Pod",
                title: str = "", chapters: list[tuple[float, str]] = (), duration_s: float | None = None,
                published: str | None = "2024-01-01", summary: str = "",
                audio_url: str | None = "https://example.com/a.mp3") -> EpisodeSource:
    """An EpisodeSource from (start, end, text, speaker) tuples."""
    chs, _ = finish_chapters([Chapter(0, t, s) for s, t in chapters], duration_s)
    episode = Episode(id=episode_id, podcast=podcast, title=title or f"Episode {episode_id}", published=published,
                      duration_s=duration_s, audio_url=audio_url, summary=summary, chapters=chs)
    transcript = Transcript([Segment(s, e, t, sp) for s, e, t, sp in lines])
    return EpisodeSource(episode=episode, transcript=transcript, origin=f"{episode_id}.test")


def index_sources() -> list[EpisodeSource]:
    """ENCLAVE and GARDEN as two episodes of two podcasts, with chapters and dates: what the index tests build
    (shared by the fake-embedder logic tests and the real-model feature tests, so both search the same index)."""
    return [
        make_source("enclave", ENCLAVE, podcast="AI Talk", title="Private AI with Illia",
                    chapters=[(0, "Intro"), (30, "Secure Enclaves"), (110, "Tokens")], duration_s=150,
                    published="2025-09-30"),
        make_source("garden", GARDEN, podcast="Garden Hour", title="Roses and tomatoes", duration_s=80,
                    published="2023-05-01"),
    ]


# eight 20-second segments on eight topics: what the update tests add, replace and remove
TOPIC_LINES = [(i * 20.0, i * 20.0 + 20, f"Segment {i} talks about {w} in some detail today.", "Ann")
               for i, w in enumerate("compilers databases gardening rockets violins kernels tomatoes sailing".split())]


def topic_episode(eid: str, chapters: tuple[tuple[float, str], ...] = ((0, "One"), (80, "Two")),
                  lines: list[tuple[float, float, str, str | None]] = TOPIC_LINES) -> EpisodeSource:
    """A 160 s episode of TOPIC_LINES in two chapters; change `chapters` to re-add it with one chapter changed."""
    return make_source(eid, lines, chapters=list(chapters), duration_s=160, title=f"Title {eid}")


def sqlite_handles() -> tuple[int, int]:
    """(open handles on any passages.sqlite, those whose file has been deleted) in this process."""
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own fd, or one closed meanwhile
            continue
    ours = [link for link in links if "passages.sqlite" in link]
    return len(ours), sum("(deleted)" in link for link in ours)
