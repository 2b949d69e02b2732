#!/usr/bin/env bash
# `make test-arm64`: the edge agent installed and run on arm64, as on a Raspberry Pi 5.
# A Debian 12 arm64 root (a Raspberry Pi OS 64-bit stand-in) is made once with debootstrap and
# cached; each run copies it, runs `edge/deploy/install.sh rpi5` in it under qemu-user-static
# (systemctl stubbed, services not started), fails if pip built anything but this project from
# source, then reads a handful of photos there and with the x86 build here and compares them.
# What it proves: the install script, the aarch64 wheels and the agent's code on arm64. What it
# cannot: speed on a real Pi (`anpr edge profile check rpi5` on the device says that).
# Emulation traps: /sys is never mounted in the root (onnxruntime's CPU detection crashes under
# qemu); the root gets the host's CA certificates and pip configuration. Without binfmt_misc
# (a container that may not register interpreters) it skips, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
CACHE="${ANPR_TEST_CACHE:-/var/cache/anpr-test}"
BASE="$CACHE/arm64-root"
WORK="$CACHE/arm64-run"
TOLERANCE=0.02
[ "$(id -u)" = 0 ] || { echo "test-arm64: needs root (debootstrap, chroot, binfmt_misc)" >&2; exit 1; }
skip() { echo "test-arm64: SKIPPED: $*"; exit 0; }

need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
[ -e /usr/libexec/qemu-binfmt/aarch64-binfmt-P ] || need+=(qemu-user-static)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
B=/proc/sys/fs/binfmt_misc
[ -e "$B/register" ] || mount -t binfmt_misc binfmt_misc "$B" 2>/dev/null \
  || skip "binfmt_misc cannot be mounted here, so arm64 programs cannot run under qemu"
if [ ! -e "$B/qemu-aarch64" ]; then
  conf=/usr/lib/binfmt.d/qemu-aarch64.conf
  { [ -f "$conf" ] && cat "$conf" > "$B/register"; } 2>/dev/null \
    || skip "qemu-aarch64 cannot be registered with binfmt_misc here"
fi

if [ ! -f "$BASE/.complete" ]; then
  echo "test-arm64: making a Debian 12 arm64 root in $BASE (once; a few minutes under qemu)"
  rm -rf "$BASE" && mkdir -p "$CACHE"
  debootstrap --arch=arm64 --variant=minbase --include=python3,python3-venv,ca-certificates,chrony \
    bookworm "$BASE" http://deb.debian.org/debian >"$CACHE/debootstrap-arm64.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap-arm64.log" >&2; exit 1; }
  touch "$BASE/.complete"
fi

cleanup() {
  for m in "$WORK/root/.cache/pip" "$WORK/dev" "$WORK/proc"; do
    mountpoint -q "$m" && umount -l "$m"
  done
  return 0
}
trap cleanup EXIT
cleanup
rm -rf "$WORK" && cp -a "$BASE" "$WORK"
cp /etc/resolv.conf "$WORK/etc/resolv.conf" 2>/dev/null || true
cp /etc/ssl/certs/ca-certificates.crt "$WORK/etc/ssl/certs/ca-certificates.crt"
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$WORK/etc/pip.conf"
printf '#!/bin/sh\necho "systemctl (stub) $*"\n' > "$WORK/usr/local/bin/systemctl"
printf '#!/bin/sh\nexit 101\n' > "$WORK/usr/sbin/policy-rc.d"
chmod +x "$WORK/usr/local/bin/systemctl" "$WORK/usr/sbin/policy-rc.d"
mkdir -p "$WORK/tmp/src" "$WORK/tmp/photos" "$CACHE/arm64-pip" "$WORK/root/.cache/pip"
git ls-files --cached --others --exclude-standard -z | tar --null -T - -cf - | tar -C "$WORK/tmp/src" -xf -
mount -t proc proc "$WORK/proc"
mount --bind /dev "$WORK/dev"
rm -rf "$CACHE/arm64-pip/wheels"  # wheels pip builds land here: only ours may
mount --bind "$CACHE/arm64-pip" "$WORK/root/.cache/pip"

echo "test-arm64: edge/deploy/install.sh rpi5 in the arm64 root"
t0=$SECONDS
chroot "$WORK" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  bash /tmp/src/edge/deploy/install.sh rpi5 >"$CACHE/install-arm64.log" 2>&1 \
  || { tail -30 "$CACHE/install-arm64.log" >&2; echo "test-arm64: install.sh failed" >&2; exit 1; }
echo "test-arm64: installed in $((SECONDS - t0)) s ($(du -sm "$WORK/opt/anpr/venv" | cut -f1) MB venv)"
built="$(find "$CACHE/arm64-pip/wheels" -name '*.whl' 2>/dev/null | grep -v '/anpr_network-' || true)"
[ -z "$built" ] || { echo "test-arm64: built from source on arm64 (no aarch64 wheel):" >&2; echo "$built" >&2; exit 1; }
arch="$(chroot "$WORK" /opt/anpr/venv/bin/python -c 'import platform; print(platform.machine())')"
[ "$arch" = aarch64 ] || { echo "test-arm64: the root's Python runs as $arch, not aarch64" >&2; exit 1; }

# A handful of photos: the real ones where ../shared is present, else rendered stills.
if ls ../shared/data/openalpr_us/*.jpg >/dev/null 2>&1; then
  ls ../shared/data/openalpr_us/*.jpg | sort | head -6 | xargs -I{} cp {} "$WORK/tmp/photos/"
else
  "$PY" - "$WORK/tmp/photos" <<'PYEOF'
import sys, tempfile
from pathlib import Path
import cv2
from models.footage import synthesise
out, tmp = Path(sys.argv[1]), Path(tempfile.mkdtemp())
synthesise(tmp / "c.mp4", tmp / "t.csv", vehicles=3, conditions=("day",), seed=5, size=(1280, 720), fps=5, lanes=1)
cap, i = cv2.VideoCapture(str(tmp / "c.mp4")), 0
ok, frame = cap.read()
while ok:
    if i % 6 == 3:
        cv2.imwrite(str(out / f"frame{i:03d}.jpg"), frame)
    ok, frame = cap.read()
    i += 1
PYEOF
fi
.venv/bin/anpr read --json --profile rpi5 "$WORK/tmp/photos" > "$CACHE/reads-x86.jsonl"
t0=$SECONDS
chroot "$WORK" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root \
  /opt/anpr/venv/bin/anpr read --json --profile rpi5 /tmp/photos > "$CACHE/reads-arm64.jsonl"
echo "test-arm64: read $(wc -l < "$CACHE/reads-arm64.jsonl") photos on emulated arm64 in $((SECONDS - t0)) s"
"$PY" scripts/compare_reads.py "$CACHE/reads-x86.jsonl" "$CACHE/reads-arm64.jsonl" --tolerance "$TOLERANCE"
# The profile and the models load on arm64 as the systemd unit would load them.
chroot "$WORK" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root \
  /opt/anpr/venv/bin/anpr edge check-config /etc/anpr/agent.yaml
echo "test-arm64: passed"
