"""`python -m indexer ...`: parse arguments, call the library, turn its errors into one-line messages and exit codes.

Exit codes: 0 ok, 1 usage or input error, 2 finished but some files were skipped (listed on stderr).
"""

from __future__ import annotations

import logging
import sys

from indexer.cli.parser import EXIT_ERROR, EXIT_OK, build_parser
from indexer.errors import PodqueryError
from indexer.settings import Settings

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    from indexer.cli import commands  # heavy imports (torch, faiss) only once a command runs

    try:
        return commands.run(args, settings)
    except PodqueryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted; the index is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK

