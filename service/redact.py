"""Server paths out of what clients read: error messages name files relative to the index, never absolutely.

The library's messages name paths for the person at the terminal (`no episode 'x' in /srv/podquery/index`,
`/srv/.../gen-1/passages.sqlite is missing`). Over HTTP those would tell any client the server's layout, so every
message a client reads goes through `public_message`: a path inside the index becomes relative to it
(`gen-1/passages.sqlite`), the index itself becomes "the index", and any other absolute path on this machine
becomes its file name. The server log keeps the full message.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

# characters that end a path in a message: spaces, quotes, brackets and the punctuation messages put after one
_STOP = r"\s'\"()\[\],;:"
_TOP = "|".join(re.escape(entry) for entry in sorted(os.listdir("/"), key=len, reverse=True))
# an absolute path on this machine: starts at a real top-level folder (so API routes such as `/episodes/{id}` and
# ratios such as `3/4` are left alone) and has at least one more segment
_ABSOLUTE = re.compile(rf"(?<![\w/.~-])/(?:{_TOP})(?:/[^{_STOP}/]+)+") if _TOP else None


def _index_roots(index: Path | None) -> list[str]:
    """The spellings of the index directory a message may use (as configured, absolute, resolved), longest
    first so that the longest match wins."""
    if index is None:
        return []
    roots = {str(index), str(index.absolute()), str(index.resolve())}
    return sorted((root for root in roots if root != "/"), key=len, reverse=True)


def public_message(message: str, index: Path | None) -> str:
    """`message` fit for a client: paths under `index` relative to it, other absolute paths cut to their name."""
    for root in _index_roots(index):
        inside = re.compile(rf"(?<![^{_STOP}]){re.escape(root)}(?![^{_STOP}/])(?:/(?P<rest>[^{_STOP}]+))?")
        message = inside.sub(lambda m: m["rest"] or "the index", message)
    return _ABSOLUTE.sub(lambda m: PurePosixPath(m.group()).name, message) if _ABSOLUTE else message
