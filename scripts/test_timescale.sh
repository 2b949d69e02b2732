#!/usr/bin/env bash
# `make test-timescale`: the central tests against PostgreSQL 17 with TimescaleDB (the Apache
# build: hypertables, time_bucket, drop_chunks), so the hypertable path runs for real.
# Where the distribution ships postgresql-17-timescaledb (Debian 13), it is installed directly;
# elsewhere (Debian 12, Ubuntu) a Debian 13 root with it is made once with debootstrap (about
# 1 minute, cached under $ANPR_TEST_CACHE) and the server runs chrooted in it. Either way the
# server listens on a free loopback port of its own and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
CACHE="${ANPR_TEST_CACHE:-/var/cache/anpr-test}"
TESTS=(tests/test_central_store.py tests/test_central_ingest.py tests/test_central_api.py)
[ "$(id -u)" = 0 ] || { echo "test-timescale: needs root (apt-get, debootstrap, chroot)" >&2; exit 1; }
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
OPTS="-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=/tmp -c shared_preload_libraries=timescaledb -c dynamic_shared_memory_type=mmap -c timescaledb.telemetry_level=off -c fsync=off"
PGBIN=/usr/lib/postgresql/17/bin

candidate="$(apt-cache policy postgresql-17-timescaledb 2>/dev/null | awk '/Candidate:/ {print $2}')"
if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
  echo "test-timescale: postgresql-17-timescaledb from this distribution ($candidate)"
  dpkg -s postgresql-17-timescaledb >/dev/null 2>&1 \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-17-timescaledb
  RUN=(runuser -u postgres --)
  DATA="$CACHE/ts-native/data"
  mkdir -p "$CACHE/ts-native" && chown postgres "$CACHE/ts-native"
else
  ROOT="$CACHE/ts-root"
  if [ ! -x "$ROOT$PGBIN/postgres" ] || [ ! -e "$ROOT/usr/lib/postgresql/17/lib/timescaledb.so" ]; then
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
    echo "test-timescale: making a Debian 13 root with postgresql-17-timescaledb in $ROOT (once)"
    rm -rf "$ROOT.tmp" && mkdir -p "$CACHE"
    debootstrap --variant=minbase --include=postgresql-17,postgresql-17-timescaledb trixie "$ROOT.tmp" \
      http://deb.debian.org/debian >"$CACHE/debootstrap-ts.log" 2>&1 \
      || { tail -20 "$CACHE/debootstrap-ts.log" >&2; exit 1; }
    rm -rf "$ROOT" && mv "$ROOT.tmp" "$ROOT"
  fi
  ids="$(awk -F: '$1 == "postgres" {print $3 ":" $4}' "$ROOT/etc/passwd")"
  RUN=(chroot --userspec="$ids" "$ROOT" env HOME=/var/lib/postgresql)
  DATA=/var/lib/anpr-ts/data
  mkdir -p "$ROOT/var/lib/anpr-ts" && chown "$ids" "$ROOT/var/lib/anpr-ts"
  DATA_HOST="$ROOT$DATA"
fi
rm -rf "${DATA_HOST:-$DATA}"
"${RUN[@]}" "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
stop() { "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true; }
trap stop EXIT
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$(dirname "$DATA")/server.log" -w -o "$OPTS" start >/dev/null
echo "test-timescale: PostgreSQL 17 with TimescaleDB on 127.0.0.1:$PORT"
ANPR_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/postgres" ANPR_TEST_REQUIRE_TIMESCALE=1 \
  "$PY" -m pytest -q "${TESTS[@]}"
