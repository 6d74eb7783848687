"""Convert the Practical AI transcripts (Changelog, CC BY-SA 4.0) into podquery's corpus layout.

Reads ../shared/corpus/changelog/practicalai/*.md and practicalai_episodes.jsonl (feed metadata joined to the
transcripts; see that folder's README.md) and writes, per episode, OUT/practical-ai-N.json (a JSON record) and
OUT/practical-ai-N.md (the transcript, copied). Sponsor and event blurbs are cut from the descriptions: they
repeat across episodes and would match unrelated searches.

    python bench/convert_practicalai.py --out data/practicalai --episodes 250,300
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import sys
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("convert_practicalai")

DEFAULT_SRC = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "changelog"
DROPPED_SECTIONS = ("Sponsors:", "Upcoming Events:")
_HEADER = re.compile(r"^[A-Z][\w &]{0,40}:\s*$")


def clean_description(text: str) -> str:
    """The feed description without its sponsor and upcoming-event sections."""
    kept: list[str] = []
    dropping = False
    for line in text.splitlines():
        if _HEADER.match(line):
            dropping = line.strip() in DROPPED_SECTIONS
        if not dropping:
            kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def record_for(row: dict[str, Any], transcript_name: str, summary: bool = True) -> dict[str, Any]:
    """A podquery JSON record for one joined feed row (without the feed's description when `summary` is off)."""
    record = {
        "id": row["guid"],
        "podcast": row["podcast"],
        "title": row["title"],
        "published": parsedate_to_datetime(row["pub_date"]).isoformat() if row.get("pub_date") else None,
        "duration_s": row.get("duration_seconds"),
        "url": row.get("link"),
        "audio_url": row.get("audio_url"),
        "summary": clean_description(row.get("description") or "") if summary else None,
        "people": [p["name"] for p in row.get("people") or [] if p.get("name")],
        "transcript": transcript_name,
    }
    return {k: v for k, v in record.items() if v not in (None, "", [])}


def convert(src: Path, out: Path, episodes: set[int] | None = None, limit: int | None = None,
            summary: bool = True) -> list[Path]:
    """Write records and transcripts for the joined episodes (all, or the chosen numbers); return the records."""
    rows = [json.loads(line) for line in (src / "practicalai_episodes.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    joined = sorted((r for r in rows if r.get("transcript_file")), key=lambda r: r["episode"])
    if episodes is not None:
        joined = [r for r in joined if r["episode"] in episodes]
        missing = episodes - {r["episode"] for r in joined}
        if missing:
            log.warning("no transcript for episode(s) %s", ", ".join(map(str, sorted(missing))))
    if limit is not None:
        joined = joined[:limit]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for row in joined:
        # transcript_file is "changelog-transcripts/practicalai/practical-ai-300.md" upstream; here it is
        # practicalai/practical-ai-300.md under src.
        transcript = src / "practicalai" / Path(row["transcript_file"]).name
        stem = transcript.stem
        shutil.copyfile(transcript, out / transcript.name)
        path = out / f"{stem}.json"
        record = record_for(row, transcript.name, summary)
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")
        written.append(path)
    log.info("wrote %d episodes to %s", len(written), out)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC, help="the changelog corpus folder (default: %(default)s)")
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--limit", type=int, help="convert at most N episodes (lowest numbers first)")
    ap.add_argument("--episodes", help="comma-separated episode numbers, e.g. 250,300")
    ap.add_argument("--no-summary", action="store_true",
                    help="leave out the feed descriptions (the feed is 'All rights reserved'; used for data/)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    chosen = {int(n) for n in args.episodes.split(",") if n.strip()} if args.episodes else None
    convert(args.src, args.out, chosen, args.limit, summary=not args.no_summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
