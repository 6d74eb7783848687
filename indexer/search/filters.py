"""What a search may return: restrictions by podcast, episode, speaker, passage kind and date, applied before
ranking."""

from __future__ import annotations

from dataclasses import astuple, dataclass


@dataclass(frozen=True)
class Filters:
    """Restrictions applied before ranking. Dates are ISO strings compared on their first 10 characters."""

    podcast: str | None = None
    episode: str | None = None
    speaker: str | None = None
    kind: str | None = None
    after: str | None = None  # inclusive
    before: str | None = None  # inclusive

    def active(self) -> bool:
        return any(v is not None for v in astuple(self))
