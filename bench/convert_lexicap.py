"""Convert the Lexicap captions (Lex Fridman Podcast, Whisper large VTT) into podquery's corpus layout.

Reads ../shared/corpus/lexicap/vtt/ with episodes_index.jsonl (episode number, guest slug, last cue end; see
that folder's README.md) and writes OUT/lex-fridman-NNN.json records beside OUT/lex-fridman-NNN.vtt, a symlink
to the caption file (or a copy with --copy). Upstream has no titles, dates or audio URLs: the title is built
from the episode number and guest slug and the duration is the last cue's end. No licence is stated upstream,
so this is for development and evaluation only; nothing converted here ships in data/.

    python bench/convert_lexicap.py --out /tmp/lexicap --limit 20
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("convert_lexicap")

DEFAULT_SRC = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "lexicap"
PODCAST = "Lex Fridman Podcast"


def guest_name(slug: str | None) -> str:
    """`john-danaher-3` -> `John Danaher` (the number marks a repeat guest in the slug source)."""
    if not slug:
        return ""
    words = re.sub(r"-\d+$", "", slug).split("-")
    return " ".join(w if w.isupper() else w.capitalize() for w in words if w)


def clock_seconds(clock: str) -> float:
    """Seconds from `h:mm:ss.mmm` or `mm:ss.mmm`."""
    total = 0.0
    for part in clock.split(":"):
        total = total * 60 + float(part)
    return total


def record_for(row: dict[str, Any], transcript_name: str) -> dict[str, Any]:
    """A podquery JSON record for one index row."""
    number = int(row["episode"])
    guest = guest_name(row.get("guest_slug"))
    record = {
        "id": f"lex-fridman-{number:03d}",
        "podcast": PODCAST,
        "title": f"#{number} – {guest}" if guest else f"{PODCAST} #{number}",
        "duration_s": round(clock_seconds(row["last_cue_end"]), 3) if row.get("last_cue_end") else None,
        "people": ["Lex Fridman"],
        "transcript": transcript_name,
    }
    return {k: v for k, v in record.items() if v is not None}


def convert(src: Path, out: Path, episodes: set[int] | None = None, limit: int | None = None,
            copy: bool = False) -> list[Path]:
    """Write records and link (or copy) the captions for the chosen episodes; return the record paths."""
    rows = [json.loads(line) for line in (src / "episodes_index.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    rows.sort(key=lambda r: int(r["episode"]))
    if episodes is not None:
        rows = [r for r in rows if int(r["episode"]) in episodes]
    if limit is not None:
        rows = rows[:limit]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for row in rows:
        caption = (src / "vtt" / Path(row["vtt_file"]).name).resolve()
        stem = f"lex-fridman-{int(row['episode']):03d}"
        target = out / f"{stem}.vtt"
        if target.is_symlink() or target.exists():
            target.unlink()
        if copy:
            shutil.copyfile(caption, target)
        else:
            os.symlink(caption, target)
        path = out / f"{stem}.json"
        path.write_text(json.dumps(record_for(row, target.name), indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(path)
    log.info("wrote %d episodes to %s", len(written), out)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC, help="the lexicap folder (default: %(default)s)")
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--limit", type=int, help="convert at most N episodes (lowest numbers first)")
    ap.add_argument("--episodes", help="comma-separated episode numbers, e.g. 1,2,3")
    ap.add_argument("--copy", action="store_true", help="copy the caption files instead of symlinking them")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    chosen = {int(n) for n in args.episodes.split(",") if n.strip()} if args.episodes else None
    convert(args.src, args.out, chosen, args.limit, args.copy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
