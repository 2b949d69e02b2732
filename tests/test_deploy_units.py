"""The systemd units the install scripts put in place, checked by systemd itself.

`systemd-analyze verify` parses each unit as systemd would load it (unknown keys, bad values,
missing executables); the executables are pointed at a stand-in, as the real ones exist only on
an installed machine. The install scripts are checked for syntax with `bash -n`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
UNITS = [
    REPO / "edge/deploy/anpr-edge.service",
    REPO / "central/deploy/anpr-api.service",
    REPO / "central/deploy/anpr-housekeeping.service",
    REPO / "central/deploy/anpr-ingest@.service",
]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_units_verify_and_are_hardened(tmp_path: Path) -> None:
    exe = tmp_path / "anpr"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    names = []
    for unit in UNITS:
        text = unit.read_text()
        for need in ("User=anpr", "Restart=on-failure", "NoNewPrivileges=true", "ProtectSystem=strict"):
            assert need in text, f"{unit.name} lacks {need}"
        assert "StandardOutput=journal" in text
        name = unit.name.replace("@.service", "@1.service")
        (tmp_path / name).write_text(text.replace("/opt/anpr/venv/bin/anpr", str(exe)))
        names.append(str(tmp_path / name))
    out = subprocess.run(["systemd-analyze", "verify", *names], capture_output=True, text=True, timeout=60)
    # Only complaints about our units count (the host's own units may draw warnings).
    ours = [line for line in out.stderr.splitlines() if "anpr" in line]
    assert out.returncode == 0 and not ours, out.stderr


def test_install_scripts_parse() -> None:
    for script in ("edge/deploy/install.sh", "central/deploy/install.sh"):
        out = subprocess.run(["bash", "-n", str(REPO / script)], capture_output=True, text=True)
        assert out.returncode == 0, f"{script}: {out.stderr}"
    central = (REPO / "central/deploy/install.sh").read_text()
    assert "central migrate" in central, "an upgrade runs the migrations"
    edge = (REPO / "edge/deploy/install.sh").read_text()
    assert "python3.11" in edge, "an older system Python (JetPack 6) is handled"
