#!/usr/bin/env bash
# Run the checks and the test suite, installing what they need into ./.venv on first use.
# Extra arguments go to pytest (e.g. ./test.sh -k pareto).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/venv.sh
ensure_venv "[test]"
ensure_chromium
.venv/bin/ruff check
.venv/bin/ruff format --check
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
