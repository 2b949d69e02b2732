#!/usr/bin/env bash
# Install the ANPR edge agent on Raspberry Pi OS 64-bit (Pi 4/5), Jetson (JetPack 6) or x86-64 Debian.
#   sudo ./edge/deploy/install.sh [PROFILE]      PROFILE: rpi4 | rpi5 | jetson-orin-nano | x86-generic
# Installs into /opt/anpr (a venv with the `edge` extras only: no server dependencies), creates the
# unprivileged user `anpr`, the outbox directory /var/lib/anpr and, if absent, /etc/anpr/agent.yaml
# from the example; then enables the systemd unit. Safe to run again to upgrade.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "run as root (sudo)"; exit 1; }
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
PROFILE="${1:-}"
if [ -z "$PROFILE" ]; then
  model="$(tr -d '\0' < /proc/device-tree/model 2>/dev/null || true)"
  case "$model" in
    *"Raspberry Pi 5"*) PROFILE=rpi5 ;;
    *"Raspberry Pi 4"*) PROFILE=rpi4 ;;
    *Jetson*|*Orin*) PROFILE=jetson-orin-nano ;;
    *) PROFILE=x86-generic ;;
  esac
fi
[ -f "$SRC/firmware_profiles/$PROFILE.yaml" ] || { echo "unknown profile $PROFILE"; exit 1; }

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv chrony
# The agent needs Python 3.11+. JetPack 6 (Ubuntu 22.04) ships 3.10 as python3 but has
# python3.11 in its universe archive: use that where the system's python3 is older.
PY=python3
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv || {
    echo "Python 3.11 or newer is required (found $("$PY" --version)) and apt has no python3.11:"
    echo "on Ubuntu 22.04 / JetPack 6 enable 'universe' (add-apt-repository universe), then run this again"
    exit 1
  }
  PY=python3.11
fi
id anpr >/dev/null 2>&1 || useradd --system --home /var/lib/anpr --shell /usr/sbin/nologin anpr
install -d -o anpr -g anpr -m 0750 /var/lib/anpr
install -d -m 0755 /etc/anpr /opt/anpr
rsync -a --delete --exclude .venv --exclude .git "$SRC/" /opt/anpr/src/ 2>/dev/null || cp -a "$SRC/." /opt/anpr/src/
[ -x /opt/anpr/venv/bin/python ] && /opt/anpr/venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || { rm -rf /opt/anpr/venv; "$PY" -m venv /opt/anpr/venv; }
/opt/anpr/venv/bin/pip install -q --upgrade pip
/opt/anpr/venv/bin/pip install -q "/opt/anpr/src[edge]"
if [ ! -f /etc/anpr/agent.yaml ]; then
  sed "s/^profile: .*/profile: $PROFILE/" /opt/anpr/src/edge/deploy/agent.example.yaml > /etc/anpr/agent.yaml
  chmod 0640 /etc/anpr/agent.yaml && chgrp anpr /etc/anpr/agent.yaml
  echo "edit /etc/anpr/agent.yaml (site, agent, broker, cameras), then: systemctl restart anpr-edge"
fi
/opt/anpr/venv/bin/anpr edge check-config /etc/anpr/agent.yaml || true
install -m 0644 /opt/anpr/src/edge/deploy/anpr-edge.service /etc/systemd/system/anpr-edge.service
systemctl daemon-reload
systemctl enable --now anpr-edge
echo "installed with profile $PROFILE; logs: journalctl -u anpr-edge -f"
echo "measure this device: /opt/anpr/venv/bin/anpr edge profile check $PROFILE"
