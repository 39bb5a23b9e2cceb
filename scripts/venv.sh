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

# The report's browser tests drive Debian's `chromium` (a browser is never downloaded). Install it
# when missing and we are root on a Debian-like system; otherwise those tests skip, saying why.
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium for the browser tests (apt-get)..." >&2
    (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium) \
      >/dev/null 2>&1 || echo "could not install chromium: the browser tests will be skipped" >&2
  fi
  return 0
}
