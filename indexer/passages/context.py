"""What a passage is indexed with besides its words: the context people search by that the speakers rarely say.

The displayed text stays the spoken words; the keyword engine gets the context in columns of its own, the
embedder gets it as a line after the text.
"""

from __future__ import annotations

from indexer.datamodel import Episode, Passage


def context_fields(episode: Episode, passage: Passage) -> dict[str, str]:
    """Words people search by that the spoken text rarely says: show, episode, chapter, speakers."""
    return {
        "podcast": episode.podcast,
        "title": episode.title,
        "chapter": passage.chapter_title or "",
        "speakers": ", ".join(passage.speakers),
    }


def embedding_text(episode: Episode, passage: Passage, max_context_chars: int = 200) -> str:
    """What the embedder sees: the passage text, then a context line (the displayed text stays spoken).

    Context goes last because the model silently cuts input past its word-piece limit: what gets cut is
    then context, never spoken words.
    """
    ctx = context_fields(episode, passage)
    line = " | ".join(v for v in (ctx["title"], ctx["chapter"], ctx["podcast"]) if v)
    return f"{passage.text}\n{line[:max_context_chars]}" if line else passage.text
