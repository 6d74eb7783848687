"""Show notes (a feed's HTML descriptions) as plain text: paragraphs and list items kept as lines."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_HTML_TAG = re.compile(r"</?(?:p|br|a|div|span|ul|ol|li|em|strong|b|i|u|h[1-6]|img|blockquote|pre|code|table|tr|td|"
                       r"th|hr|sup|sub|small|figure|section|cite|s)\b[^<>]*>", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    """Text of an HTML fragment, block elements turned into line breaks so paragraphs and lists survive."""

    BLOCKS = frozenset("p div h1 h2 h3 h4 h5 h6 ul ol blockquote pre table section article header footer figure hr"
                       " dl".split())
    LINES = frozenset({"br", "li", "tr", "dt", "dd"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skipping += 1
        self.handle_startendtag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append("\n\n" if tag in self.BLOCKS else "\n" if tag in self.LINES else "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        self.parts.append("\n\n" if tag in self.BLOCKS else "")  # a line-tag's break comes before it, not after

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Plain text of show notes: tags out, entities decoded, one line per block, blank line between paragraphs."""
    if not markup:
        return ""
    if _HTML_TAG.search(markup):
        parser = _TextExtractor()
        parser.feed(markup)
        parser.close()
        markup = "".join(parser.parts)
    else:
        markup = html.unescape(markup)
    lines = [" ".join(line.split()) for line in markup.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
