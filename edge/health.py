"""What the heartbeat reports about the device: clock offset (chrony), CPU temperature, disk."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

_CHRONY_OFFSET = re.compile(r"^System time\s*:\s*([\d.]+) seconds (fast|slow)", re.MULTILINE)


def clock_offset_s() -> float | None:
    """Local clock minus NTP time from `chronyc tracking`; None where chrony is not running."""
    if not shutil.which("chronyc"):
        return None
    try:
        out = subprocess.run(["chronyc", "tracking"], capture_output=True, text=True, timeout=2).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = _CHRONY_OFFSET.search(out)
    if not m:
        return None
    value = float(m.group(1))
    return value if m.group(2) == "fast" else -value


def cpu_temp_c() -> float | None:
    for zone in sorted(Path("/sys/class/thermal").glob("thermal_zone*/temp")):
        try:
            return int(zone.read_text().strip()) / 1000
        except (OSError, ValueError):
            continue
    return None


def disk_free_bytes(path: Path) -> int | None:
    try:
        return shutil.disk_usage(path if path.exists() else path.parent).free
    except OSError:
        return None
