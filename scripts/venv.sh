# Sourced by run.sh and test.sh: make ./.venv with entente installed (plus the given extras).
# Reinstalls only when pyproject.toml changes. Needs Python 3.11+ (set PYTHON to choose one).
ensure_venv() {
  local extras="$1"
  local py="${PYTHON:-python3}"
  if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "entente needs Python 3.11 or newer (found: $("$py" --version 2>&1)); set PYTHON=..." >&2
    exit 2
  fi
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv
  fi
  local stamp=".venv/.installed$(echo "$extras" | tr -d '[]')-$(cksum < pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".${extras}"
    touch "$stamp"
  fi
}
