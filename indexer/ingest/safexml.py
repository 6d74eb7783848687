"""Feed XML parsed safely (defusedxml: no DTDs, entities or external references) with namespaces made predictable.

Feeds name the same namespaces with any prefix, or use `itunes:` without declaring it at all; `read_xml` renames
every known namespace to one fixed prefix (`{itunes}duration`, found as `itunes:duration` with `NS`) and repairs
undeclared prefixes, so the feed parser looks things up one way.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element
from xml.parsers import expat

import defusedxml.ElementTree as safe_etree
from defusedxml import DefusedXmlException

from indexer.errors import InputError

_NAMESPACES = (  # namespace URI fragment -> the prefix our lookups use, whatever prefix the feed chose
    ("itunes.com/dtds/podcast-1.0.dtd", "itunes"), ("podcastindex.org/namespace", "podcast"),
    ("podcastindex-org/podcast-namespace", "podcast"), ("purl.org/rss/1.0/modules/content", "content"),
    ("podlove.org/simple-chapters", "psc"), ("w3.org/2005/atom", "atom"), ("search.yahoo.com/mrss", "media"),
    ("purl.org/dc/elements/1.1", "dc"), ("w3.org/1999/02/22-rdf-syntax-ns", "rdf"),
)
_USUAL_URIS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "psc": "http://podlove.org/simple-chapters",
               "podcast": "https://podcastindex.org/namespace/1.0",
               "content": "http://purl.org/rss/1.0/modules/content/",
               "atom": "http://www.w3.org/2005/Atom", "media": "http://search.yahoo.com/mrss/",
               "dc": "http://purl.org/dc/elements/1.1/"}
_UNDECLARED = "urn:podquery:undeclared:"
NS = {prefix: prefix for _, prefix in _NAMESPACES if prefix}
DECLARED_ENCODING = re.compile(r"""^(\ufeff?<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_UNBOUND_PREFIX = expat.errors.codes[expat.errors.XML_ERROR_UNBOUND_PREFIX]


def read_xml(data: bytes) -> tuple[Element, list[str]]:
    """The root with namespaces renamed to our prefixes (`{itunes}duration`, found as `itunes:duration`) + warnings."""
    warnings: list[str] = []
    try:
        root = _safe_fromstring(data)
    except safe_etree.ParseError as exc:
        repaired, prefixes = _declare_prefixes(data) if exc.code == _UNBOUND_PREFIX else (None, [])
        if repaired is None:
            raise _malformed(exc) from None
        try:
            root = _safe_fromstring(repaired)
        except safe_etree.ParseError:
            raise _malformed(exc) from None
        warnings.append(f"undeclared namespace prefixes {', '.join(prefixes)}: assumed the usual namespaces")
    families: dict[str, str | None] = {}  # None: a namespace we do not know keeps its URI
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            uri, local = el.tag[1:].split("}", 1)
            if uri not in families:
                low = uri.lower()
                families[uri] = (low[len(_UNDECLARED):] if low.startswith(_UNDECLARED)
                                 else "" if low.rstrip("/").endswith("purl.org/rss/1.0")  # RSS 1.0 itself, not modules
                                 else next((p for frag, p in _NAMESPACES if frag in low), None))
            prefix = families[uri]
            el.tag = el.tag if prefix is None else f"{{{prefix}}}{local}" if prefix else local
    return root, warnings


def _safe_fromstring(data: bytes) -> Element:
    try:
        return safe_etree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InputError("feed uses XML entities/DTD, refused for safety") from None


def _malformed(exc: Exception) -> InputError:
    line, column = getattr(exc, "position", (0, 0))
    code = getattr(exc, "code", None)
    problem = expat.ErrorString(code) if isinstance(code, int) else str(exc)
    return InputError(f"malformed XML: {problem}", where=f"line {line} column {column + 1}")


def _declare_prefixes(data: bytes) -> tuple[bytes | None, list[str]]:
    """Declare prefixes used but never bound (many feeds write `itunes:` bare) on the root element."""
    used = {p.decode() for p in re.findall(rb"</?([A-Za-z_][\w.-]*):[A-Za-z_]", data)}
    used |= {p.decode() for p in re.findall(rb"\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=", data)}
    prolog = re.match(rb"(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*<([A-Za-z_][\w.:-]*)([^>]*)", data, re.DOTALL)
    if prolog is None:
        return None, []
    declared = {p.decode() for p in re.findall(rb"xmlns:([\w.-]+)\s*=", prolog.group(2))}
    missing = sorted(used - declared - {"xml", "xmlns"})
    if not missing:
        return None, []
    decls = "".join(f' xmlns:{p}="{_USUAL_URIS.get(p, _UNDECLARED + p)}"' for p in missing).encode()
    return data[:prolog.end(1)] + decls + data[prolog.end(1):], missing
