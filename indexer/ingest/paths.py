"""Where a named file may be: inside the folder its path is relative to, every folder on the way resolved.

A media map entry and a record's `transcript`/`chapters` field name a file relative to a folder the user gave (the
media folder; the corpus folder the record was found under). Refusing `..` in the text is not enough: a symlinked
folder inside it (`media/etc -> /etc`, then `etc/passwd`) leads out of it just the same, and what is read ends up
in passages anyone who can search may see. So the folder holding the named file is resolved (`Path.resolve()`:
links followed, `..` collapsed) and must lie inside the given folder, itself resolved. The file itself may be a
symlink: a link placed in the folder is its owner's choice, not the map's or the record's (the project's own
converters link large transcripts rather than copy them). Absolute paths are refused outright: the documented paths
are relative, and an absolute one inside the folder would still make the corpus unmovable.
"""

from __future__ import annotations

from pathlib import Path, PurePath

from indexer.errors import InputError


def inside(path: Path, root: Path) -> bool:
    """Whether the folder holding `path`, symlinks followed, is `root` or below it (also resolved), and `path` names
    a file in it (not `..`); a link loop is not inside."""
    if path.name in ("", ".", ".."):
        return False
    try:
        return path.parent.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return False


def confine(root: Path, rel: str, folder: str, base: Path | None = None) -> Path:
    """`base / rel` (`base` defaults to `root`) when `rel` is relative and leads, symlinks followed, inside `root`.

    Otherwise an InputError (no source: the caller adds the file and field) whose problem names the path as written
    and `folder`, the words for `root` in the message ("the media folder").
    """
    if PurePath(rel).is_absolute():
        raise InputError(f"path {rel!r} is absolute: it must be relative, inside {folder}")
    path = (root if base is None else base) / rel
    if not inside(path, root):
        raise InputError(f"path {rel!r} leads outside {folder} ({root}), through '..' or a symlink")
    return path
