"""The package as users install it: a wheel built from this tree, installed (not editable) into a
fresh virtual environment, run from a directory outside the source tree.

Every other test runs from the editable checkout, where a file missing from the wheel (a device
profile, a model, a template, a migration) is still found beside the code. Here it is not.
The fresh environment takes its third-party dependencies from the test environment (a `.pth`
line), so the test needs no download; the project itself comes only from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests import services
from tests.harness import Collector, wait_for
from tests.test_read_cli import folder  # noqa: F401  (the photo `anpr read` is run on)

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `bin` folder of a fresh venv holding the project's wheel and nothing else of ours."""
    work = tmp_path_factory.mktemp("wheel")
    # Build from a copy of the tree git knows (no stale build/ folder, no local venv).
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    src = work / "src"
    for f in filter(None, files):
        path = REPO / f.decode()
        if path.is_file():
            (src / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / f.decode())
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(work),
            str(src),
        ],
        check=True,
        timeout=300,
    )
    wheel = next(work.glob("anpr_network-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    purelib = Path(
        subprocess.run(
            [str(venv / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # Third-party packages from the test environment; its editable hook (a .pth there) is not
    # processed from a plain path line, so our own code can only come from the wheel.
    (purelib / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )
    yield venv / "bin"


def run(
    bin_dir: Path, *args: str, cwd: Path, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(bin_dir / "anpr"), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_installed_package_comes_from_the_wheel_with_its_data(installed: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [
            str(installed / "python"),
            "-c",
            "import edge, central, firmware_profiles, models; "
            "from edge.profiles import PROFILES_DIR; from edge.onnx_models import MODELS_DIR; "
            "from central.store import MIGRATIONS; from central.web import HERE; "
            "print(edge.__file__); print(sorted(p.stem for p in PROFILES_DIR.glob('*.yaml'))); "
            "print(sorted(p.name for p in MODELS_DIR.glob('*.onnx'))); "
            "print(len(list(MIGRATIONS.glob('*.sql'))), (HERE / 'templates/base.html').exists(), "
            "(HERE / 'static/console.js').exists(), (HERE / 'data/sites.yaml').exists())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    where, profiles, models, data = out.stdout.splitlines()
    assert str(REPO) not in where and "site-packages" in where, where
    assert {"rpi4", "rpi5", "jetson-orin-nano", "x86-generic", "x86-stills"} <= set(eval(profiles))
    assert {"detector.onnx", "ocr.onnx", "detector.int8.onnx", "ocr.int8.onnx"} <= set(eval(models))
    assert data.split()[1:] == ["True", "True", "True"] and int(data.split()[0]) >= 5


def test_installed_anpr_reads_a_photo(installed: Path, folder: tuple[Path, str], tmp_path: Path) -> None:  # noqa: F811
    imgs, vrm = folder
    out = run(installed, "read", str(imgs / "a_car.jpg"), "--json", "--profile", "rpi5", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    row = json.loads(out.stdout.splitlines()[0])
    assert [p["text"] for p in row["plates"]] == [vrm]


def test_installed_central_migrates_and_serves_the_console(
    installed: Path, database_url: str, tmp_path: Path
) -> None:
    env = {"ANPR_DATABASE_URL": database_url, "ANPR_DATA_DIR": str(tmp_path / "state")}
    out = run(installed, "central", "migrate", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    port = services.free_port()
    proc = subprocess.Popen(
        [str(installed / "anpr"), "central", "serve", "--port", str(port), "--no-housekeeping"],
        cwd=tmp_path,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert wait_for(lambda: services.port_open(port), 60), "the console did not start"

        def get(path: str) -> tuple[int, str]:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
                return r.status, r.read().decode()

        assert get("/healthz")[0] == 200
        status, login = get("/login")
        assert status == 200 and "<form" in login  # a template from the package
        status, css = get("/static/console.css")
        assert status == 200 and len(css) > 100  # a static file from the package
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def test_installed_agent_checks_its_config_and_runs(
    installed: Path, clip: tuple[Path, list], tmp_path: Path
) -> None:
    broker = services.PrivateBroker(tmp_path / "broker", agents={"S01-A1": "S01"})
    broker.start()
    col = Collector(broker.tool_url)
    cfg = tmp_path / "agent.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "site_id": "S01",
                "agent_id": "S01-A1",
                "profile": "rpi5",
                "broker": {"url": broker.agent_url("S01-A1")},
                "heartbeat_interval_s": 1,
                "outbox": {"path": str(tmp_path / "outbox.sqlite")},
                "cameras": [{"camera_id": "S01-C1", "source": str(clip[0]), "expected_fps": 10}],
            }
        )
    )
    try:
        checked = run(installed, "edge", "check-config", str(cfg), cwd=tmp_path)
        assert checked.returncode == 0, checked.stderr
        assert "profile rpi5" in checked.stdout and "ocr ocr.onnx" in checked.stdout
        proc = subprocess.Popen(
            [str(installed / "anpr"), "edge", "run", "--config", str(cfg)],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            assert wait_for(lambda: len(col.heartbeats) >= 2, 60), "the agent sent no heartbeat"
            assert wait_for(lambda: len(col.reads) >= 1, 60), "the agent read nothing"
            assert proc.poll() is None, "the agent is still running"
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        assert proc.returncode == 0
        time.sleep(0.3)
        assert [m for m in col.other if m.get("kind") == "status"][-1]["state"] == "offline"
    finally:
        col.close()
        broker.stop()
