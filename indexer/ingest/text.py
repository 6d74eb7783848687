"""Text cleanup and speaker-label detection shared by every transcript reader: markup out, words untouched."""

from __future__ import annotations

import html
import logging
import re
from collections import Counter

from indexer.errors import InputError

log = logging.getLogger(__name__)

# Only tags that caption and transcript files really use: a generic `<word>` pattern would eat code such as
# `Vec<String>` that programming podcasts quote.
_TAG = re.compile(
    r"</?(?:c|v|i|b|u|s|lang|ruby|rt|rp|span|font|em|strong|br|p|div|sup|sub|small|big|a|mark|code|cite|time|q)"
    r"(?:[.\s/][^<>]*)?>",
    re.IGNORECASE,
)
_VTT_TIMESTAMP_TAG = re.compile(r"<[0-9]+(?::[0-9]+){1,2}(?:[.,][0-9]+)?>")
# Block-ish tags separate words; inline ones (`<i>`, `<c>`) sit inside words' runs and must not add spaces.
_BLOCK_TAG = re.compile(r"<(?:br|p|div)\b[^<>]*>|</(?:p|div)>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\u200b\u200e\u200f\ufeff]")
# `[` is excluded from a link's text (as `<` from a voice's name below) so that each failed attempt stops at the next
# opening bracket: with it allowed, a 100 KB line of `![![![` took minutes (every `[` scanned to the line's end).
_MD_IMAGE_OR_LINK = re.compile(r"(?<!\\)!?\[((?:[^\[\]\\\n]|\\.)*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_MD_STRONG = re.compile(r"(?<![\\*])\*\*(?=\S)(.+?)(?<=\S)(?<!\\)\*\*(?!\*)")
_MD_STRONG_UNDERSCORE = re.compile(r"(?<![\\\w])__(?=\S)(.+?)(?<=\S)__(?!\w)")
_MD_EMPHASIS = re.compile(r"(?<![\\*\w])\*(?=[^\s*])([^*\n]+?)(?<=[^\s\\*])\*(?![*\w])")
_MD_CODE = re.compile(r"`([^`\n]+)`")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'])")

_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?\s+([^<>]*)>", re.IGNORECASE)

# `Name:` at the start of a cue. Words are capitalised (or digits after the first: "Speaker 2"); a few lowercase
# particles are allowed inside a name; an optional role in parentheses ("Leo Dion (host)") is dropped.
_NAME_WORD = r"[^\W\d_][\w'’.\-]*"
_PARTICLE = r"(?:van|von|der|den|de|da|di|du|del|della|la|le|bin|ibn|al|el|y|dos|das)"
_PREFIX = re.compile(
    rf"^(?:[.,]\s+)?(?P<name>{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?(?:{_NAME_WORD}|[0-9]{{1,3}})){{0,3}}"
    rf"|@?[A-Za-z][A-Za-z0-9_.\-]{{1,23}})"
    r"(?:\s*\((?P<role>[^()]{1,24})\))?\s*:(?:\s+|$)"
)
# Words that start ordinary sentences or labels ("Note: this ...") rather than a speaker's name.
_NOT_NAMES = frozenset("""
a absolutely actually again alright also an and answer anyway anyways at basically because bonus breaking bug but
caution chapter conclusion day definitely disclaimer edit episode error exactly example exception fact feature
finally first fix fyi goal hello hence hey hi hint honestly how however i important in it just level lesson listen
look meanwhile my no note notes now obviously of oh ok okay on option or otherwise our part please plus problem ps
p.s question quote re really reason remember result right rule season second seriously so solution sorry source
spoiler step subject summary takeaway thanks that the then there therefore third this thus time tip title tl;dr
tldr todo topic translation update version wait warning well what when where who why yeah yes you your http https
""".split())
_BAD_CHAR = re.compile(r"[\x00\ud800-\udfff]")
_HANDLE_MARK = re.compile(r"[@_0-9]")
_PARTICLE_WORD = re.compile(_PARTICLE)


def find_bad_char(text: str) -> int | None:
    """Offset of the first NUL or lone surrogate (text no file format allows), else None."""
    m = _BAD_CHAR.search(text)
    return m.start() if m else None


def check_characters(text: str) -> None:
    """Raise InputError naming the line of a NUL byte or lone surrogate: a sign of a binary or mis-decoded file."""
    pos = find_bad_char(text)
    if pos is None:
        return
    line = text.count("\n", 0, pos) + 1
    what = "NUL byte" if text[pos] == "\x00" else f"invalid character U+{ord(text[pos]):04X} (lone surrogate)"
    raise InputError(f"{what}: not a text transcript, or decoded with the wrong encoding", where=f"line {line}")


def split_lines(text: str) -> list[str]:
    """Lines after normalising CRLF/CR endings; unlike str.splitlines, form feeds and U+2028 stay inside a line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def strip_bom(text: str) -> str:
    """The text without a leading UTF-8 byte-order mark."""
    return text[1:] if text.startswith("\ufeff") else text


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (any Unicode space or line break) as one space, ends trimmed."""
    return " ".join(text.split())


def unescape_markdown(text: str) -> str:
    """`\\[` -> `[` and the other backslash escapes Markdown defines; other backslashes stay."""
    return _MD_ESCAPE.sub(r"\1", text)


def strip_markdown(text: str) -> str:
    """Inline Markdown markup out (links to their text, emphasis and code marks), escapes undone."""
    text = _MD_IMAGE_OR_LINK.sub(r"\1", text)
    text = _MD_CODE.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\1", text)
    text = _MD_STRONG_UNDERSCORE.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\1", text)
    return unescape_markdown(text)


def strip_tags(text: str) -> str:
    """Caption/HTML tags (`<v Name>`, `<c.red>`, `<00:00:01.000>`, `<i>`, `<br/>`) out, their content kept."""
    if "<" not in text:
        return text
    text = _VTT_TIMESTAMP_TAG.sub(" ", text)
    text = _BLOCK_TAG.sub(" ", text)
    return _TAG.sub("", text)


def clean_text(text: str, *, markdown: bool = False) -> str:
    """Display/search text of a cue or paragraph: markup and entities resolved, whitespace collapsed, never reworded."""
    if "<" in text:
        text = strip_tags(text)
    if "&" in text:
        text = html.unescape(text)
    if markdown:
        text = strip_markdown(text)
    text = " ".join(text.split())
    return text if text.isprintable() else " ".join(_CONTROL.sub("", text).split())


def voice_of(raw_cue: str) -> str | None:
    """The speaker named by the first WebVTT voice tag (`<v Name>`, `<v.loud Name>`) in a cue, if any."""
    m = _VOICE.search(raw_cue) if "<" in raw_cue else None
    if not m:
        return None
    name = collapse_whitespace(html.unescape(m.group(1)))
    return name or None


def is_plausible_name(name: str) -> bool:
    """Whether a `Name:` label looks like a person or handle, not the first words of a sentence ("Note: ...")."""
    words = name.split()
    if not words or len(name) > 40:
        return False
    if words[0].lower().rstrip(".") in _NOT_NAMES or (len(words) == 1 and len(name) == 1):
        return False
    if len(words) == 1 and not words[0][0].isupper():
        # A lowercase single word is a sentence start ("so: ...") unless it is clearly a handle.
        return bool(_HANDLE_MARK.search(name))
    return all(w[0].isupper() or w[0].isdigit() or _PARTICLE_WORD.fullmatch(w) for w in words)


def split_speaker(text: str) -> tuple[str | None, str]:
    """(`Name`, rest) when `text` opens with a plausible `Name:` label, else (None, text) unchanged."""
    m = _PREFIX.match(text)
    if not m:
        return None, text
    name = collapse_whitespace(m.group("name"))
    if not is_plausible_name(name):
        return None, text
    return name, text[m.end():]


def attribute_speakers(
    texts: list[str], voices: list[str | None] | None = None
) -> tuple[list[str | None], list[str]]:
    """Speaker of each cue from voice tags or `Name:` labels, carried forward through a turn when the file uses labels.

    Descript and similar tools name the speaker only on the first cue of a turn, so in a labelled file an unlabelled
    cue continues the previous speaker. A `Name:` prefix counts only when the file plainly uses them (the first cue
    has one, or one name labels two or more cues and labels open at least 1% of cues: a labelled file names every
    turn); otherwise the text is left alone and nobody is invented.
    """
    voices = voices if voices is not None else [None] * len(texts)
    found = [split_speaker(t) if v is None else (None, t) for t, v in zip(texts, voices, strict=True)]
    names = Counter(name for name, _ in found if name)
    first_text = next((i for i, t in enumerate(texts) if t.strip()), None)
    uses_prefixes = bool(names) and (
        (first_text is not None and found[first_text][0] is not None)
        or (names.most_common(1)[0][1] >= 2 and sum(names.values()) * 100 >= len(texts))
    )
    carry = uses_prefixes or any(v for v in voices)
    speakers: list[str | None] = []
    out: list[str] = []
    current: str | None = None
    for text, voice, (name, rest) in zip(texts, voices, found, strict=True):
        label = voice or (name if uses_prefixes else None)
        if label:
            current = label
        speakers.append(label or (current if carry else None))
        out.append(rest if (uses_prefixes and name and not voice) else text)
    if names and not uses_prefixes:
        log.debug("ignored %d possible speaker labels: the file does not use Name: labels", sum(names.values()))
    return speakers, out
