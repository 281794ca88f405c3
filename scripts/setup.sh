#!/usr/bin/env bash
# Creates .venv and installs the project; re-running is a no-op when nothing changed.
# Usage: scripts/setup.sh [extras]   e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3.11}"
stamp=".venv/.installed-${extras:-base}"
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
# pip 23 backtracks for a quarter of an hour on this dependency set; a current pip resolves it in seconds.
.venv/bin/pip install --quiet --upgrade pip 2> >(grep -v "is ignored" >&2)
# The CPU build of torch 2.13.0 is on the machine's disk; any other torch request downloads gigabytes.
.venv/bin/pip install --quiet "torch==2.13.0" 2> >(grep -v "is ignored" >&2)
spec="."
[ -n "$extras" ] && spec=".[${extras}]"
# The local package mirror warns about index folders it lacks; those lines are noise.
.venv/bin/pip install --quiet --constraint constraints.txt --editable "$spec" 2> >(grep -v "is ignored" >&2)
.venv/bin/python -c "import cchc, indexer" >/dev/null
echo "$want" > "$stamp"
