#!/usr/bin/env bash
# Set up, build the demo index from data/ (again only when data/ changed) and serve it at
# http://127.0.0.1:8000 with its search page (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
if [ ! -f demo-index/manifest.json ] || [ -n "$(find data -newer demo-index/manifest.json -print -quit)" ]; then
  .venv/bin/python -m indexer build data --out demo-index
fi
.venv/bin/python -m indexer search demo-index "secure enclaves confidential computing" --k 3
exec .venv/bin/python -m service --index demo-index --host "${PODQUERY_HOST:-127.0.0.1}" --port "${PODQUERY_PORT:-8000}"
