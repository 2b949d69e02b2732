#!/usr/bin/env bash
# Install everything `make test` and `make demo` need on a fresh Debian/Ubuntu machine.
# Safe to run twice. System packages need root (or sudo); without them the project
# falls back to its embedded services (embedded PostgreSQL, amqtt broker).
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
EXTRAS="${EXTRAS:-edge,central,services,test}"

need_apt=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need_apt+=(mosquitto)
"$PY" -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ -n "${APT_EXTRA:-}" ]; then
  for p in $APT_EXTRA; do dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p"); done
fi

if [ ${#need_apt[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
  fi
  if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
    echo "bootstrap: apt-get install ${need_apt[*]}"
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" \
      || echo "bootstrap: apt-get failed; continuing with embedded fallbacks"
    # Debian starts mosquitto on :1883 on install; our tests and demo use their own ports.
  else
    echo "bootstrap: not root and no sudo; skipping apt packages (${need_apt[*]})"
  fi
fi

if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "bootstrap: Python 3.11 or newer is required (found $("$PY" --version))" >&2
  exit 1
fi

stamp="$VENV/.installed-$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -c1-16)-${EXTRAS//,/_}"
if [ ! -f "$stamp" ]; then
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[${EXTRAS}]"
  if [[ ",$EXTRAS," == *,test,* ]]; then
    # The benchmarks' baseline OCR; its opencv-python pin would shadow opencv-python-headless.
    "$VENV/bin/python" -m pip install -q --no-deps "rapidocr-onnxruntime==1.4.4"
  fi
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
echo "bootstrap: ready ($VENV)"
