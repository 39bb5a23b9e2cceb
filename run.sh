#!/usr/bin/env bash
# Run entente, installing it into ./.venv on first use.
# With no arguments it negotiates the Portsmouth peace conference of 1905; any arguments are
# passed to the `entente` command (try `./run.sh --help`).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/venv.sh
ensure_venv ""
if [ $# -eq 0 ]; then set -- run; fi
exec .venv/bin/entente "$@"
