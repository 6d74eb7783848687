#!/usr/bin/env bash
# Set up and run the tests. No argument: every tier (browser tests need Chromium: installed here when apt-get is
# usable). `--fast`: the unit tier only (tests/unit/, `pytest -m unit`: no model, no server, no browser, no
# ../shared), under a minute and without installing Chromium. Any other arguments go to pytest as they are.
# The full run (no arguments, what CI runs) first checks the code with ruff and mypy.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests || exit 1
if [ "${1:-}" = "--fast" ]; then
  shift
  # tests/unit as well as the marker, unless a path was given: pytest then imports only the unit modules (not torch,
  # fastapi or playwright), which halves the run; the marker alone would still select the same tests
  given_path=0
  for arg in "$@"; do [ -e "${arg%%::*}" ] && given_path=1; done
  [ "$given_path" = 1 ] || set -- "$@" tests/unit
  set -- -m unit "$@"
elif [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "==> installing Chromium for the browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "could not install chromium; browser tests will be skipped"
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
if [ "$#" -eq 0 ]; then
  echo "==> ruff and mypy on indexer/ and service/"
  .venv/bin/ruff check indexer service || exit 1
  .venv/bin/mypy indexer service || exit 1
fi
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
