"""Build a media folder for a Changelog feed: its items' markdown transcripts, attached by guid in media-map.json.

The feeds' `podcast:transcript` links point at Transistor and changelog.com, which cannot be fetched offline; the
transcripts we have are the Changelog's markdown files (CC BY-SA 4.0), which `<show>_episodes.jsonl` joins to feed
items by `guid` (`transcript_file`). So the folder gets a copy of each joined file and a `media-map.json` of
`{"guid:<guid>": {"transcript": "<file name>"}}`, the guid form that indexer/feeds.py documents. Then

    python bench/make_media_dir.py practicalai --out /tmp/pai-media
    load_feed(Path("../shared/corpus/changelog/feeds/practical-ai.xml"), Path("/tmp/pai-media"))

gives the 299 Practical AI episodes that have transcripts with timestamped passages.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from pathlib import Path

log = logging.getLogger("make_media_dir")

DEFAULT_SRC = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "changelog"
_JOIN_PREFIX = "changelog-transcripts/"  # how the jsonl files name the transcripts folder (this corpus' root)


def build_media_dir(jsonl: Path, out: Path, corpus: Path | None = None, link: bool = False) -> int:
    """Copy (or symlink) the transcripts a `<show>_episodes.jsonl` joins and write media-map.json; returns the count."""
    corpus = corpus or jsonl.parent
    out.mkdir(parents=True, exist_ok=True)
    mapping: dict[str, dict[str, str]] = {}
    with jsonl.open(encoding="utf-8") as rows:
        for n, line in enumerate(rows, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            guid, joined = row.get("guid"), row.get("transcript_file")
            if not guid or not joined:
                continue
            src = corpus / joined.removeprefix(_JOIN_PREFIX)
            if not src.is_file():
                log.warning("%s line %d: %s not found, episode left without transcript", jsonl, n, src)
                continue
            dest = out / src.name
            if dest.is_symlink() or dest.exists():
                dest.unlink()
            if link:
                os.symlink(src.resolve(), dest)
            else:
                shutil.copyfile(src, dest)
            mapping[f"guid:{guid}"] = {"transcript": src.name}
    (out / "media-map.json").write_text(json.dumps(mapping, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    log.info("%s: %d transcripts mapped by guid into %s", jsonl.name, len(mapping), out)
    return len(mapping)


def main(argv: list[str] | None = None) -> int:
    """CLI: `make_media_dir.py SHOW --out DIR` where SHOW names `<corpus>/<SHOW>_episodes.jsonl`."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("show", help="show name as in <show>_episodes.jsonl: practicalai, jsparty, shipit, ...")
    ap.add_argument("--out", type=Path, required=True, help="media folder to create or refresh")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_SRC, help=f"Changelog corpus folder (default {DEFAULT_SRC})")
    ap.add_argument("--link", action="store_true", help="symlink the transcripts instead of copying them")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    jsonl = args.corpus / f"{args.show}_episodes.jsonl"
    if not jsonl.is_file():
        shows = sorted(p.name.removesuffix("_episodes.jsonl") for p in args.corpus.glob("*_episodes.jsonl"))
        log.error("%s not found (shows: %s)", jsonl, ", ".join(shows))
        return 2
    return 0 if build_media_dir(jsonl, args.out, args.corpus, args.link) else 1


if __name__ == "__main__":
    sys.exit(main())
