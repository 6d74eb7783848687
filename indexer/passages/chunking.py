"""Episodes and transcripts become passages: token windows cut at segment boundaries, never across chapters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from indexer.datamodel import Chapter, Episode, Passage, Segment, Transcript, chapter_at
from indexer.passages.sentences import split_sentences
from indexer.passages.timing import spread
from indexer.settings import ChunkSettings

TokenCount = Callable[[str], int]

@dataclass(frozen=True)
class _Unit:
    """A piece of a segment small enough for one window, with its own (possibly interpolated) times."""

    text: str
    start_s: float
    end_s: float
    speaker: str | None
    estimated: bool
    tokens: int


def _pieces(text: str, max_tokens: int, count: TokenCount) -> list[str]:
    """Split text over the window at sentence boundaries; a sentence still too long is cut between words."""
    if count(text) <= max_tokens:
        return [text]
    out: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(text):
        candidates = [sentence] if count(sentence) <= max_tokens else _split_words(sentence, max_tokens, count)
        for cand in candidates:
            trial = " ".join(current + [cand])
            if current and count(trial) > max_tokens:
                out.append(" ".join(current))
                current = [cand]
            else:
                current.append(cand)
    if current:
        out.append(" ".join(current))
    return out


def _split_words(sentence: str, max_tokens: int, count: TokenCount) -> list[str]:
    words = sentence.split()
    out: list[str] = []
    current: list[str] = []
    for word in words:
        if current and count(" ".join(current + [word])) > max_tokens:
            out.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        out.append(" ".join(current))
    return out


def _units(segments: list[Segment], max_tokens: int, count: TokenCount, fallback_end: float | None) -> list[_Unit]:
    """Segments as units; long ones split with times interpolated by character share (and flagged)."""
    units: list[_Unit] = []
    for i, seg in enumerate(segments):
        end = seg.end_s
        if end is None:
            end = segments[i + 1].start_s if i + 1 < len(segments) else (fallback_end or seg.start_s)
        end = max(end, seg.start_s)
        pieces = _pieces(seg.text, max_tokens, count)
        times = spread(seg.start_s, end, [len(p) for p in pieces])
        for j, (piece, (start, stop)) in enumerate(zip(pieces, times, strict=True)):
            units.append(_Unit(piece, start, stop, seg.speaker, seg.time_estimated or j > 0, count(piece)))
    return units


def _windows(tokens: list[int], max_tokens: int, overlap: float) -> list[tuple[int, int]]:
    """Greedy windows of whole units, given each unit's token count, as (start, end) slices; each next window
    repeats about `overlap` of the previous one's tokens."""
    windows: list[tuple[int, int]] = []
    start = 0
    while start < len(tokens):
        end = start
        total = 0
        while end < len(tokens) and (end == start or total + tokens[end] + 1 <= max_tokens):
            total += tokens[end] + 1
            end += 1
        windows.append((start, end))
        if end >= len(tokens):
            break
        # step back over whole units worth about `overlap` of the window, but always move forward
        back = end
        carried = 0
        while back - 1 > start and carried + tokens[back - 1] <= overlap * max_tokens:
            back -= 1
            carried += tokens[back]
        start = back
    return windows


def _passage(episode_id: str, window: list[_Unit], chapter: Chapter | None) -> Passage:
    starts: list[tuple[int, float]] = []
    texts: list[str] = []
    offset = 0
    for unit in window:
        starts.append((offset, round(unit.start_s, 3)))
        texts.append(unit.text)
        offset += len(unit.text) + 1
    speakers: list[str] = []
    for unit in window:
        if unit.speaker and unit.speaker not in speakers:
            speakers.append(unit.speaker)
    return Passage(
        episode_id=episode_id,
        kind="transcript",
        text=" ".join(texts),
        start_s=round(window[0].start_s, 3),
        end_s=round(max(u.end_s for u in window), 3),
        chapter_index=chapter.index if chapter else None,
        chapter_title=chapter.title if chapter else None,
        speakers=tuple(speakers),
        time_estimated=any(u.estimated for u in window),
        segment_starts=tuple(starts),
    )


def transcript_passages(episode: Episode, transcript: Transcript, settings: ChunkSettings,
                        count: TokenCount) -> list[Passage]:
    """Token windows over the transcript, cut at segment boundaries, one chapter at a time."""
    segments = [s for s in transcript.segments if s.text.strip()]
    if not segments:
        return []
    groups: list[tuple[Chapter | None, list[Segment]]] = []
    for seg in segments:
        chapter = chapter_at(episode.chapters, seg.start_s)
        if groups and groups[-1][0] == chapter:
            groups[-1][1].append(seg)
        else:
            groups.append((chapter, [seg]))
    passages: list[Passage] = []
    for g, (chapter, segs) in enumerate(groups):
        # a group's last segment without an end runs to the next group's first start, else to the episode's end
        next_start = groups[g + 1][1][0].start_s if g + 1 < len(groups) else episode.duration_s
        units = _units(segs, settings.max_tokens, count, next_start)
        for start, end in _windows([u.tokens for u in units], settings.max_tokens, settings.overlap):
            passages.append(_passage(episode.id, units[start:end], chapter))
    return passages


def text_windows(text: str, settings: ChunkSettings, count: TokenCount) -> list[str]:
    """Untimed text (a summary, a highlight) in the transcripts' token windows, cut between sentences.

    A publisher's summary can be any length; as one passage it would be embedded only up to the model's limit,
    and every search snippet or answer over it would work through all of it (issue 14, defect 2).
    """
    text = text.strip()
    if not text or count(text) <= settings.max_tokens:
        return [text] if text else []
    # sentences are the units a window is made of, as segments are in a transcript (a too-long one cut by words)
    units = [piece for sentence in split_sentences(text) for piece in _pieces(sentence, settings.max_tokens, count)]
    windows = _windows([count(u) for u in units], settings.max_tokens, settings.overlap)
    return [" ".join(units[start:end]) for start, end in windows]


def metadata_passages(episode: Episode, settings: ChunkSettings, count: TokenCount) -> list[Passage]:
    """The summary and each highlight (in token windows like a transcript's, untimed) and each chapter (title and
    description) as passages of their own."""
    out: list[Passage] = []
    for piece in text_windows(episode.summary, settings, count):
        out.append(Passage(episode.id, "summary", piece, None, None))
    for text in episode.highlights:
        for piece in text_windows(text, settings, count):
            out.append(Passage(episode.id, "highlight", piece, None, None))
    for ch in episode.chapters:
        text = f"{ch.title}: {ch.description}" if ch.description else ch.title
        out.append(Passage(episode.id, "chapter", text, ch.start_s, ch.end_s if ch.end_s is not None else ch.start_s,
                           chapter_index=ch.index, chapter_title=ch.title))
    return out


def episode_passages(episode: Episode, transcript: Transcript | None, settings: ChunkSettings,
                     count: TokenCount) -> list[Passage]:
    """All passages of one episode: metadata first, then the transcript windows in time order."""
    passages = metadata_passages(episode, settings, count)
    if transcript is not None:
        passages.extend(transcript_passages(episode, transcript, settings, count))
    return passages
