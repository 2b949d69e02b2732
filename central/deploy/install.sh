#!/usr/bin/env bash
# Install (or upgrade) the ANPR central service on Debian 12/13 or Ubuntu 22.04+ as systemd units.
#   sudo ./central/deploy/install.sh [INGEST_WORKERS]     (default 1)
# Installs into /opt/anpr (a venv with the `central` extras), creates the unprivileged user `anpr`,
# /var/lib/anpr-central and, if absent, /etc/anpr/central.env from the example; runs the database
# migrations (every upgrade); then enables anpr-api, anpr-housekeeping and anpr-ingest@1..N.
# PostgreSQL (or TimescaleDB) and the broker are yours to run: see README, "Deploying the central
# service". ANPR_SYSTEMCTL overrides systemctl (tests run this script where systemd is stubbed).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "run as root (sudo)"; exit 1; }
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
WORKERS="${1:-1}"
SYSTEMCTL="${ANPR_SYSTEMCTL:-systemctl}"
PREFIX="${ANPR_PREFIX:-/opt/anpr}"

if [ -z "${ANPR_SKIP_APT:-}" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv
fi
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || { echo "Python 3.11 or newer is required (found $(python3 --version))"; exit 1; }
id anpr >/dev/null 2>&1 || useradd --system --home /var/lib/anpr-central --shell /usr/sbin/nologin anpr
install -d -o anpr -g anpr -m 0750 /var/lib/anpr-central
install -d -m 0755 /etc/anpr "$PREFIX"
rm -rf "$PREFIX/src" && mkdir -p "$PREFIX/src"
(cd "$SRC" && tar --exclude=.venv --exclude=.git --exclude=build -cf - .) | tar -C "$PREFIX/src" -xf -
[ -x "$PREFIX/venv/bin/python" ] || python3 -m venv "$PREFIX/venv"
"$PREFIX/venv/bin/pip" install -q --upgrade pip
"$PREFIX/venv/bin/pip" install -q "$PREFIX/src[central]"
if [ ! -f /etc/anpr/central.env ]; then
  install -m 0640 -g anpr "$PREFIX/src/central/deploy/central.example.env" /etc/anpr/central.env
  echo "edit /etc/anpr/central.env (database, broker, TLS files), then run this script again"
fi
# Migrations on every install and upgrade; they are idempotent. Without a reachable database the
# units are still installed, and the script says so.
set -a; . /etc/anpr/central.env; set +a
if "$PREFIX/venv/bin/anpr" central migrate; then migrated=yes; else migrated=no; fi
for unit in anpr-api.service anpr-housekeeping.service anpr-ingest@.service; do
  sed "s#/opt/anpr/venv#$PREFIX/venv#g" "$PREFIX/src/central/deploy/$unit" > "/etc/systemd/system/$unit"
  chmod 0644 "/etc/systemd/system/$unit"
done
"$SYSTEMCTL" daemon-reload
units=(anpr-api.service anpr-housekeeping.service)
for i in $(seq 1 "$WORKERS"); do units+=("anpr-ingest@$i.service"); done
if [ "$migrated" = yes ]; then
  "$SYSTEMCTL" enable "${units[@]}"
  "$SYSTEMCTL" restart "${units[@]}"
  echo "installed: ${units[*]}; logs: journalctl -u 'anpr-*' -f"
else
  echo "units installed but not started: the database did not migrate (check ANPR_DATABASE_URL in /etc/anpr/central.env)"
  exit 3
fi
